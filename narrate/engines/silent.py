"""A deterministic engine that needs nothing: silence as long as the text would take to read.

For dry runs and for tests of everything around synthesis. Tests that matter to a listener use
the real eSpeak NG engine instead.
"""

from __future__ import annotations

import re

from ..config import Config
from ..model import Clip, WordMark
from ..voices import Voice

_WORD = re.compile(r"\S+")


class SilentEngine:
    """Silence at the voice's speaking rate, with evenly spaced word marks."""

    name = "silent"
    version = "silent 1"
    accepts_phonemes = False
    sample_rate = 22050

    def __init__(self, config: Config | None = None) -> None:
        pass

    def synthesize(self, text: str, voice: Voice) -> Clip:
        """Return silence lasting len(words) / rate, at least one word long."""
        words = list(_WORD.finditer(text))
        per_word = int(self.sample_rate * 60 / voice.rate_wpm)
        marks = tuple(
            WordMark(m.start(), m.end() - m.start(), i * per_word) for i, m in enumerate(words)
        )
        n_samples = per_word * max(1, len(words))
        return Clip(pcm=bytes(2 * n_samples), sample_rate=self.sample_rate, words=marks)
