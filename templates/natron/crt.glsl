// cmfc EFFECT-V-08 crt: scanlines, tube curvature and dark corners over iChannel0.
// Natron Shadertoy binds the uniforms below to the node's extra parameters of the same name.
uniform float scanlines; // strength of the horizontal lines, 0..1
uniform float curvature; // bulge of the picture tube, 0..1
uniform float vignette;  // darkening of the corners, 0..1
uniform float amount;    // 0 = the untouched input, 1 = the full effect (keyed for partial spans)

vec2 bulge(vec2 uv)
{
    vec2 c = uv * 2.0 - 1.0;
    c *= 1.0 + curvature * 0.25 * dot(c.yx, c.yx);
    return c * 0.5 + 0.5;
}

void mainImage(out vec4 fragColor, in vec2 fragCoord)
{
    vec2 uv = fragCoord.xy / iResolution.xy;
    vec4 source = texture2D(iChannel0, uv);
    vec2 tubeUv = bulge(uv);
    vec4 tube = texture2D(iChannel0, tubeUv);
    if (tubeUv.x < 0.0 || tubeUv.x > 1.0 || tubeUv.y < 0.0 || tubeUv.y > 1.0) {
        tube = vec4(0.0, 0.0, 0.0, 1.0);
    }
    // About 480 visible lines whatever the height, like a broadcast picture.
    float line = 0.5 + 0.5 * sin(fragCoord.y * 3.14159265 * 480.0 / iResolution.y);
    tube.rgb *= 1.0 - scanlines * 0.6 * (1.0 - line);
    tube.rgb *= 1.0 - vignette * smoothstep(0.25, 0.85, length(tubeUv - 0.5) * 1.3);
    fragColor = mix(source, tube, amount);
}
