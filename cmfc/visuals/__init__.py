"""Pictures of a project for people: the storyboard contact sheet and the timeline PNG.

Both read the IR only (``cmfc.check.load``) plus the media it points to, and write
deterministic PNGs: no text chunks, no timestamps, fonts bundled with Pillow or the project.
"""
