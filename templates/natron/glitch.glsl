// cmfc EFFECT-V-07 glitch: displaced horizontal blocks and split colour channels over iChannel0.
// Natron Shadertoy binds the uniforms below to the node's extra parameters of the same name.
uniform float intensity; // how broken the picture gets, 0..1
uniform int blocks;      // displaced bands per frame
uniform float amount;    // 0 = the untouched input, 1 = the full effect (keyed around the instant)

float hash(vec2 p)
{
    return fract(sin(dot(p, vec2(12.9898, 78.233))) * 43758.5453);
}

void mainImage(out vec4 fragColor, in vec2 fragCoord)
{
    vec2 uv = fragCoord.xy / iResolution.xy;
    vec4 source = texture2D(iChannel0, uv);
    float frame = floor(float(iFrame));
    vec2 cell = vec2(floor(uv.x * 2.0), floor(uv.y * float(blocks)));
    float broken = step(1.0 - intensity * 0.6, hash(cell + frame));
    float shift = broken * (hash(cell.yx + frame + 7.0) - 0.5) * 0.2 * intensity;
    vec2 moved = vec2(fract(uv.x + shift), uv.y);
    float split = 0.012 * intensity;
    vec4 glitched = vec4(texture2D(iChannel0, moved + vec2(split, 0.0)).r,
                         texture2D(iChannel0, moved).g,
                         texture2D(iChannel0, moved - vec2(split, 0.0)).b,
                         source.a);
    fragColor = mix(source, glitched, amount);
}
