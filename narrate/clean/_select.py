"""Where the article is, by agreement: each method votes on narrate's own blocks.

* :class:`Opinion` is one method's text as a set of word 4-grams.
* :func:`vote` marks each block with the share of its 4-grams each method's text holds; a
  block is voted (:func:`is_voted`) when one method holds at least half of them. Comparing
  4-grams, the benchmark's own unit, makes the vote blind to how each method spaces, splits
  or joins paragraphs.
* :func:`voted_mass` and :func:`container` find the element that holds the voted text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lxml.html import HtmlElement

from ._dom import DomBlock

_TOKEN = re.compile(r"\w+")
_SHINGLE = 4
_MAJORITY = 0.5  # share of a block's 4-grams a method must hold to vote for it


def _shingles(tokens: list[str]) -> list[tuple[str, ...]]:
    if len(tokens) < _SHINGLE:
        return [tuple(tokens)] if tokens else []
    return [tuple(tokens[i : i + _SHINGLE]) for i in range(len(tokens) - _SHINGLE + 1)]


@dataclass(frozen=True)
class Opinion:
    """One method's text, prepared for voting: its 4-gram set and its tokens joined."""

    shingles: frozenset[tuple[str, ...]]
    joined: str

    @classmethod
    def of(cls, text: str) -> Opinion:
        """Prepare ``text`` for voting."""
        tokens = _TOKEN.findall(text)
        return cls(frozenset(_shingles(tokens)), " " + " ".join(tokens) + " ")


def vote(blocks: list[DomBlock], opinions: dict[str, Opinion]) -> None:
    """Record on each block the share of its 4-grams each method's text contains."""
    for block in blocks:
        tokens = _TOKEN.findall(block.text)
        if not tokens:
            continue
        short = " " + " ".join(tokens) + " " if len(tokens) < _SHINGLE else ""
        shingles = _shingles(tokens)
        for name, opinion in opinions.items():
            if short:
                # Short blocks (1-3 tokens) count as found when they occur as a run.
                block.votes[name] = 1.0 if short in opinion.joined else 0.0
            else:
                found = sum(1 for s in shingles if s in opinion.shingles)
                block.votes[name] = found / len(shingles)


def is_voted(block: DomBlock) -> bool:
    """Whether at least one method holds most of the block's text."""
    return max(block.votes.values(), default=0.0) >= _MAJORITY


def voted_mass(blocks: Iterable[DomBlock]) -> dict[HtmlElement, int]:
    """Words of voted text under each element (every ancestor of a voted block)."""
    mass: dict[HtmlElement, int] = {}
    for block in blocks:
        if not is_voted(block):
            continue
        weight = len(_TOKEN.findall(block.text))
        node: HtmlElement | None = block.owner
        while node is not None:
            mass[node] = mass.get(node, 0) + weight
            node = node.getparent()
    return mass


def container(mass: dict[HtmlElement, int], share: float) -> HtmlElement:
    """The deepest element holding at least ``share`` of the voted words.

    Walks down from the root, each time into the child holding the most voted words, while
    that child still holds ``share`` of them all.
    """
    if not mass:
        raise ValueError("container() needs at least one voted block")
    children: dict[HtmlElement, list[HtmlElement]] = {}
    root: HtmlElement | None = None
    for node in mass:
        parent = node.getparent()
        if parent is None:
            root = node
        else:
            children.setdefault(parent, []).append(node)
    assert root is not None  # every chain of ancestors ends at the root
    total = mass[root]
    node = root
    while True:
        best = max(children.get(node, []), key=mass.__getitem__, default=None)
        if best is None or mass[best] < share * total:
            return node
        node = best
