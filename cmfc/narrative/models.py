"""What the stage-1 agents answer (pydantic: the JSON schema they are forced to fill) and what stage 1 writes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


class PassageRef(_Answer):
    """A run of the speaker's words: first and last word index (inclusive) and the words themselves."""

    first_word: int = Field(ge=0, description="index of the passage's first word, as numbered in the transcript")
    last_word: int = Field(ge=0, description="index of its last word (inclusive)")
    quote: str = Field(description="the passage's words exactly as in the transcript")


class TrinityScores(_Answer):
    """The manual's Viral Trinity (Surprise x Emotion x Specificity), plus the hook the premise opens with."""

    surprise: int = Field(ge=1, le=10)
    emotion: int = Field(ge=1, le=10)
    specificity: int = Field(ge=1, le=10)
    arousal: int = Field(ge=1, le=10, description="how high-arousal the concept is")
    contrarian: int = Field(ge=1, le=10, description="how far it goes against the received wisdom")


class PremiseAnswer(_Answer):
    title: str
    hook: str = Field(description="the gold nugget: the one specific, contrarian insight, in a sentence")
    why: str = Field(description="why it stops the scroll")
    scores: TrinityScores
    passages: list[PassageRef] = Field(min_length=1)


class PremisesAnswer(_Answer):
    """The Premise Hunter's answer for one transcript (or one chunk of it)."""

    premises: list[PremiseAnswer] = Field(min_length=1, max_length=8)


class BlockAnswer(_Answer):
    text: str = Field(description="the block's words, copied exactly from the transcript")
    first_word: int = Field(ge=0)
    last_word: int = Field(ge=0)


class ScriptAnswer(_Answer):
    """The Script Composer's answer: blocks of the speaker's own words, in the order the story needs."""

    title: str
    blocks: list[BlockAnswer] = Field(min_length=1, max_length=40)


class SceneChoice(_Answer):
    block: int = Field(ge=0, description="index of the script block this scene speaks")
    template: str
    subject: Literal["client", "character"]
    hero_prompt: str = Field(description="what the hero image shows (no text, no logos)")
    text: str | None = Field(default=None, description="an on-screen phrase from the block's words, or null")


class BlueprintAnswer(_Answer):
    """The Blueprint Architect's mapping: a sonic arc for the whole, a template and a subject per block."""

    title: str
    arc: str
    character_anchor: str = Field(description="how a generic character looks, for prompts (when one is used)")
    scenes: list[SceneChoice] = Field(min_length=1)
