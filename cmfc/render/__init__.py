"""Local rendering: one scene segment as a video-only MP4 with the shared encoder settings.

The entry point is :func:`cmfc.render.segment.render_segment`; everything else here builds one
piece of its ffmpeg filter graph (source, motion, text, card, encoder settings).
"""
