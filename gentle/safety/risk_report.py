"""How well the risk scanner does on labelled sentences: precision and recall per language,
split and level, printed as the Markdown tables of docs/risk-scanner.md.

    python -m gentle.safety.risk_report                 # our labelled set, language unknown
    python -m gentle.safety.risk_report --given         # ... with each sentence's language
    python -m gentle.safety.risk_report other.json      # anyone's sentences, same format
    python -m gentle.safety.risk_report --misses        # also list what it got wrong

A labelled file is JSON: {"sentences": [{"text", "language", "label": none|mention|self,
"split" (optional, default "all"), "group" (optional: self, mention, idiom, ordinary)}]}.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from gentle.safety import risk

DEFAULT_SET = Path(__file__).resolve().parents[2] / "tests" / "data" / "risk_sentences.json"


@dataclass
class Cell:
    """Counts for one language and split."""

    total: int = 0
    gold: dict = field(default_factory=lambda: dict.fromkeys(risk.LEVELS, 0))
    predicted: dict = field(default_factory=lambda: dict.fromkeys(risk.LEVELS, 0))
    correct: dict = field(default_factory=lambda: dict.fromkeys(risk.LEVELS, 0))
    mentions_as_self: int = 0  # gold 'mention' (someone else, history, the topic) scanned 'self'
    idioms: int = 0
    idiom_alarms: int = 0  # idioms and negations scanned as anything but 'none'
    misses: list = field(default_factory=list)

    def precision(self, level: str) -> float | None:
        return self.correct[level] / self.predicted[level] if self.predicted[level] else None

    def recall(self, level: str) -> float | None:
        return self.correct[level] / self.gold[level] if self.gold[level] else None

    def idiom_alarm_rate(self) -> float | None:
        return self.idiom_alarms / self.idioms if self.idioms else None


def load_sentences(path: Path) -> list[dict]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return data["sentences"]


def measure(sentences: list[dict], *, given: bool = False) -> dict[tuple[str, str], Cell]:
    """Counts per (language, split). With ``given`` each sentence is scanned with its own
    language; otherwise with none, as a caller that does not know it would."""
    cells: dict[tuple[str, str], Cell] = defaultdict(Cell)
    for sentence in sentences:
        language = sentence["language"]
        cell = cells[(language, sentence.get("split", "all"))]
        gold = sentence["label"]
        got = risk.scan(sentence["text"], language if given else None).level
        cell.total += 1
        cell.gold[gold] += 1
        cell.predicted[got] += 1
        if got == gold:
            cell.correct[gold] += 1
        else:
            cell.misses.append((gold, got, sentence["text"]))
        if gold == "mention" and got == "self":
            cell.mentions_as_self += 1
        if sentence.get("group") == "idiom":
            cell.idioms += 1
            cell.idiom_alarms += got != "none"
    return dict(cells)


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def table(cells: dict[tuple[str, str], Cell]) -> str:
    lines = [
        "| language | split | level | sentences | scanned so | right | precision | recall |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for language, split in sorted(cells):
        cell = cells[(language, split)]
        for level in reversed(risk.LEVELS):
            lines.append(
                f"| {language} | {split} | {level} | {cell.gold[level]} | "
                f"{cell.predicted[level]} | {cell.correct[level]} | "
                f"{_figure(cell.precision(level))} | {_figure(cell.recall(level))} |"
            )
    lines += [
        "",
        "| language | split | mentions scanned as self | idioms and negations | false alarms |",
        "|---|---|---:|---:|---:|",
    ]
    for language, split in sorted(cells):
        cell = cells[(language, split)]
        rate = cell.idiom_alarm_rate()
        shown = "–" if rate is None else f"{cell.idiom_alarms} ({rate:.0%})"
        lines.append(
            f"| {language} | {split} | {cell.mentions_as_self} of {cell.gold['mention']} | "
            f"{cell.idioms} | {shown} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT_SET))
    parser.add_argument("--given", action="store_true", help="scan with each sentence's language")
    parser.add_argument("--misses", action="store_true", help="list the sentences it got wrong")
    args = parser.parse_args(argv)
    cells = measure(load_sentences(Path(args.path)), given=args.given)
    mode = "each sentence's language given" if args.given else "language not given"
    print(f"Risk scanner {risk.version()} on {Path(args.path).name} ({mode})\n")
    print(table(cells))
    if args.misses:
        for key in sorted(cells):
            for gold, got, text in cells[key].misses:
                print(f"{key[0]} {key[1]}: expected {gold}, scanned {got}: {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
