"""The Director's console: ``cmfc console SPEC`` (Streamlit, the optional extra ``cmfc[console]``).

``app`` is the Streamlit page; ``state`` reads takes, cuts and build reports from the project; ``notes``
reads a Director's plain-word notes into spec edits. Every decision is an edit through ``cmfc.edit``.
"""
