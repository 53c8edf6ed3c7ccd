"""Flat-style stage illustrations drawn with Pillow (540x960, drawn at 2x and downsampled for smooth edges)."""

from __future__ import annotations

import io
import random
from collections.abc import Callable

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 540, 960
SCALE = 2  # supersampling factor

Box = tuple[float, float, float, float]


class Canvas:
    """An RGBA drawing surface in 540x960 units, supersampled internally."""

    def __init__(self, background: str) -> None:
        self.image = Image.new("RGBA", (WIDTH * SCALE, HEIGHT * SCALE), background)
        self.draw = ImageDraw.Draw(self.image)

    def _xy(self, box: Box) -> list[float]:
        return [v * SCALE for v in box]

    def rect(self, box: Box, fill: str, radius: float = 0) -> None:
        """A filled (optionally rounded) rectangle."""
        self.draw.rounded_rectangle(self._xy(box), radius * SCALE, fill=fill)

    def ellipse(self, box: Box, fill: str) -> None:
        """A filled ellipse inside `box`."""
        self.draw.ellipse(self._xy(box), fill=fill)

    def polygon(self, points: list[tuple[float, float]], fill: str) -> None:
        """A filled polygon."""
        self.draw.polygon([(x * SCALE, y * SCALE) for x, y in points], fill=fill)

    def line(self, points: list[tuple[float, float]], fill: str, width: float) -> None:
        """A polyline."""
        self.draw.line([(x * SCALE, y * SCALE) for x, y in points], fill=fill, width=max(1, round(width * SCALE)))

    def gradient(self, box: Box, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> None:
        """A vertical gradient, one colour per row (PNG's Up filter compresses it to almost nothing)."""
        x0, y0, x1, y1 = (round(v * SCALE) for v in box)
        for y in range(y0, y1):
            f = (y - y0) / max(1, y1 - y0 - 1)
            colour = tuple(round(a + (b - a) * f) for a, b in zip(top, bottom))
            self.draw.line([(x0, y), (x1 - 1, y)], fill=colour)

    def glow(self, points: list[tuple[float, float]], rgba: tuple[int, int, int, int]) -> None:
        """A translucent polygon (light cones, reflections), composited over the scene."""
        layer = Image.new("RGBA", self.image.size, (0, 0, 0, 0))
        ImageDraw.Draw(layer).polygon([(x * SCALE, y * SCALE) for x, y in points], fill=rgba)
        self.image = Image.alpha_composite(self.image, layer)
        self.draw = ImageDraw.Draw(self.image)

    def png(self) -> bytes:
        """Downsample to 540x960 and encode as an RGB PNG (no metadata, so bytes are stable)."""
        small = self.image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS).convert("RGB")
        # A 256-colour palette keeps flat art crisp and each file far under 150 KB.
        small = small.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        buf = io.BytesIO()
        small.save(buf, format="PNG", optimize=True)
        return buf.getvalue()


def kitchen() -> bytes:
    """A lived-in kitchen in daylight: window, cabinets, fridge, pendant lamp, clutter on the counter."""
    c = Canvas("#E9DCC6")
    c.rect((0, 0, 540, 40), "#D8C8AE")
    c.rect((40, 150, 250, 420), "#8A6E55", 8)  # window frame
    c.gradient((54, 164, 236, 406), (142, 197, 235), (214, 236, 247))
    c.rect((186, 340, 194, 406), "#6B4F3A")  # a tree outside
    c.ellipse((156, 270, 226, 350), "#7DAE6B")
    c.ellipse((70, 330, 130, 406), "#9CC58A")
    c.rect((140, 164, 148, 406), "#8A6E55")
    c.rect((54, 281, 236, 289), "#8A6E55")
    c.rect((30, 420, 260, 440), "#7A5F48", 4)  # sill
    c.ellipse((60, 392, 96, 424), "#C9573F")  # a plant pot
    c.ellipse((58, 360, 98, 398), "#5E9450")
    for x in range(280, 520, 80):  # upper cabinets
        c.rect((x, 90, x + 74, 330), "#F4EFE6", 6)
        c.rect((x + 56, 190, x + 64, 240), "#6B6B6B", 3)
    c.rect((0, 560, 540, 650), "#F7F3EA")
    for x in range(0, 540, 36):  # backsplash tiles
        c.line([(x, 560), (x, 650)], "#D9D2C4", 2)
    for y in range(560, 650, 30):
        c.line([(0, y), (540, y)], "#D9D2C4", 2)
    c.rect((0, 645, 540, 672), "#5A4331")  # counter top
    for x in range(0, 540, 135):  # lower cabinets
        c.rect((x + 6, 678, x + 129, 890), "#B88B5E", 6)
        c.rect((x + 55, 700, x + 80, 708), "#4A4A4A", 3)
    c.rect((0, 890, 540, 960), "#CFC3AE")
    for x in range(0, 540, 60):  # floor tiles
        for y in range(890, 960, 35):
            if (x // 60 + y // 35) % 2 == 0:
                c.rect((x, y, x + 60, y + 35), "#BEB19A")
    c.rect((410, 300, 532, 890), "#DDE3E8", 14)  # fridge
    c.rect((410, 520, 532, 526), "#AEB8C0")
    c.rect((420, 420, 428, 500), "#8C969E", 3)
    c.rect((420, 540, 428, 620), "#8C969E", 3)
    c.rect((440, 340, 470, 380), "#F2C94C", 2)  # a note on the fridge
    c.rect((478, 350, 510, 392), "#F28B82", 2)
    c.line([(300, 0), (300, 180)], "#333333", 3)  # pendant lamp
    c.polygon([(262, 215), (338, 215), (318, 180), (282, 180)], "#2F4858")
    c.glow([(262, 215), (338, 215), (420, 645), (180, 645)], (255, 226, 150, 60))
    c.rect((70, 600, 150, 645), "#3B3B3B", 6)  # pot
    c.rect((60, 596, 160, 606), "#2B2B2B", 3)
    for x in (90, 110, 130):  # steam
        c.line([(x, 585), (x - 6, 565), (x + 4, 545), (x - 4, 525)], "#FFFFFF", 3)
    c.rect((190, 612, 226, 645), "#E66A5A", 5)  # mug
    c.ellipse((218, 618, 236, 636), "#E66A5A")
    c.ellipse((222, 622, 232, 632), "#F7F3EA")
    c.ellipse((250, 615, 340, 648), "#DCDCDC")  # bowl of fruit
    c.ellipse((262, 600, 290, 628), "#F2994A")
    c.ellipse((285, 596, 315, 626), "#EB5757")
    c.ellipse((308, 603, 332, 627), "#F2C94C")
    for i, colour in enumerate(("#FFFFFF", "#E0E0E0", "#F5F5F5")):  # stacked papers / bills
        c.polygon([(350 + i * 4, 640 - i * 5), (400 + i * 4, 636 - i * 5), (404, 646), (352, 648)], colour)
    return c.png()


def rooftop_night() -> bytes:
    """A rain-soaked rooftop at night over a city skyline, with a water tower and puddle reflections."""
    rng = random.Random(7)
    c = Canvas("#0B1026")
    c.gradient((0, 0, 540, 620), (8, 12, 38), (46, 52, 96))
    c.ellipse((390, 90, 470, 170), "#E8E6D9")
    c.ellipse((372, 80, 452, 160), "#0E1430")  # a crescent
    x = -10
    while x < 540:  # skyline
        w, h = rng.randint(50, 110), rng.randint(160, 420)
        c.rect((x, 620 - h, x + w, 620), rng.choice(("#161B3A", "#1B2146", "#121633")))
        for wx in range(x + 8, x + w - 10, 16):
            for wy in range(620 - h + 12, 600, 22):
                if rng.random() < 0.28:
                    c.rect((wx, wy, wx + 8, wy + 12), rng.choice(("#F2C94C", "#F8E3A1", "#9AD0EC")))
        x += w + rng.randint(0, 8)
    c.rect((0, 600, 540, 640), "#2A2E45")  # ledge
    c.rect((0, 640, 540, 960), "#1E2235")  # roof
    c.rect((60, 360, 200, 520), "#4B3A33", 10)  # water tower
    c.polygon([(50, 362), (210, 362), (130, 300)], "#3A2C27")
    for lx in (75, 125, 175):
        c.line([(lx, 520), (lx - 10, 640)], "#3A2C27", 6)
    for i in range(6):  # puddles catching the city light
        px, py = rng.randint(20, 420), rng.randint(690, 920)
        c.ellipse((px, py, px + rng.randint(80, 160), py + rng.randint(14, 30)), "#2D3658")
        c.glow([(px + 20, py + 6), (px + 60, py + 6), (px + 50, py + 12), (px + 30, py + 12)], (242, 201, 76, 70))
    c.rect((420, 700, 470, 740), "#3B3F5C", 4)  # vent
    c.rect((410, 690, 480, 704), "#4A4F70", 4)
    for _ in range(140):  # rain
        rx, ry = rng.uniform(0, 560), rng.uniform(0, 960)
        c.line([(rx, ry), (rx - 8, ry + 34)], "#8FA3C8", 1.2)
    return c.png()


def street_dawn() -> bytes:
    """An empty city street at dawn in one-point perspective, sun low at the end of the road."""
    c = Canvas("#F6C9A0")
    c.gradient((0, 0, 540, 520), (64, 72, 140), (250, 176, 120))
    c.ellipse((225, 410, 315, 500), "#FFE3A3")
    c.rect((0, 470, 540, 520), "#F0A878")
    c.polygon([(0, 0), (170, 180), (170, 540), (0, 700)], "#3B3553")  # buildings, left
    c.polygon([(540, 0), (370, 180), (370, 540), (540, 700)], "#433B5E")  # right
    for i in range(6):  # windows in perspective
        y0, y1 = 60 + i * 75, 100 + i * 70
        c.polygon([(20, y0 + 20), (120, y0 + 90), (120, y1 + 100), (20, y1 + 60)], "#524A6E")
        c.polygon([(520, y0 + 20), (420, y0 + 90), (420, y1 + 100), (520, y1 + 60)], "#5A5178")
    c.polygon([(170, 540), (370, 540), (540, 700), (540, 960), (0, 960), (0, 700)], "#55506A")  # road
    c.polygon([(0, 700), (170, 540), (200, 540), (60, 960), (0, 960)], "#8C7F93")  # left sidewalk
    c.polygon([(540, 700), (370, 540), (340, 540), (480, 960), (540, 960)], "#8C7F93")
    for i in range(7):  # centre dashes, bigger as they come closer
        t0, t1 = (i / 7) ** 1.6, ((i + 0.5) / 7) ** 1.6
        y0, y1 = 540 + t0 * 420, 540 + t1 * 420
        w0, w1 = 2 + t0 * 14, 2 + t1 * 14
        c.polygon([(270 - w0, y0), (270 + w0, y0), (270 + w1, y1), (270 - w1, y1)], "#F2E6C9")
    c.glow([(225, 500), (315, 500), (420, 960), (120, 960)], (255, 214, 150, 55))  # sunlight down the road
    for side, x, top in ((-1, 120, 380), (1, 420, 380)):  # street lamps
        c.line([(x, 760), (x, top)], "#2A2540", 6)
        c.line([(x, top), (x - side * 40, top - 10)], "#2A2540", 5)
        c.ellipse((x - side * 40 - 10, top - 14, x - side * 40 + 10, top + 2), "#FFE9B8")
    return c.png()


def gym() -> bytes:
    """A bare boxing gym at first light: a window, a heavy bag on a chain, a weight rack, a bench."""
    c = Canvas("#5B5F66")
    c.rect((0, 0, 540, 700), "#6B7078")
    for y in range(0, 700, 46):  # concrete blocks
        c.line([(0, y), (540, y)], "#62676F", 2)
        for x in range(0 if (y // 46) % 2 else 45, 540, 90):
            c.line([(x, y), (x, y + 46)], "#62676F", 2)
    c.rect((300, 90, 500, 380), "#2E3138", 6)  # window
    c.gradient((312, 102, 488, 368), (250, 200, 140), (255, 236, 200))
    c.rect((396, 102, 404, 368), "#2E3138")
    c.glow([(312, 102), (488, 102), (260, 960), (-80, 960)], (255, 220, 160, 45))  # light shaft
    c.rect((0, 700, 540, 960), "#3E342C")  # floor
    for x in range(-200, 540, 70):
        c.line([(x, 960), (x + 180, 700)], "#463B32", 3)
    c.line([(160, 0), (160, 250)], "#9A9A9A", 5)  # heavy bag on a chain
    c.rect((105, 250, 215, 580), "#8E2F2F", 40)
    c.rect((105, 300, 215, 312), "#6E2222")
    c.rect((105, 520, 215, 532), "#6E2222")
    c.ellipse((90, 760, 240, 800), "#33302C")  # its shadow
    c.rect((330, 560, 345, 840), "#2B2B2B")  # weight rack
    c.rect((480, 560, 495, 840), "#2B2B2B")
    for y in (600, 690, 780):
        c.rect((320, y, 505, y + 10), "#2B2B2B")
        for x in (350, 395, 440):
            c.ellipse((x, y - 34, x + 34, y), "#1C1C1C")
    c.rect((250, 820, 430, 850), "#222222", 8)  # bench
    c.rect((270, 850, 285, 900), "#2B2B2B")
    c.rect((395, 850, 410, 900), "#2B2B2B")
    c.line([(30, 880), (80, 900), (130, 880), (180, 905), (230, 885)], "#C9A66B", 7)  # a skipping rope
    return c.png()


STAGES: dict[str, Callable[[], bytes]] = {
    "kitchen.png": kitchen,
    "rooftop_night.png": rooftop_night,
    "street_dawn.png": street_dawn,
    "gym.png": gym,
}
