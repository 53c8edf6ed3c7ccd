"""The IR views moved to ``cmfc.ir.views`` (targets declare the view they read); kept for old imports."""

from cmfc.ir.views import scene_view, skeleton_view, timeline_view  # noqa: F401
