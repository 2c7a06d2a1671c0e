"""Survey report: counts, percentages and completion per question and language, CSV and charts.

Answers come from the SurveyResponses table, either a local ``--state DIR`` (what simulated
calls wrote) or a deployed stack (boto3 Scan of the table named by the stack's
``SurveyResponsesTable`` resource).  Each item is one answer: ``survey_id``, ``question_id``,
``answer`` ("1".."9" for a choice, "yes"/"no", digits for a number, "prefer_not", "no_answer",
"skipped"), ``response_key`` (one per survey call, not linkable to a caller) and, where the flow
passed it, ``language``.

Per question: *answered* counts real answers; *prefer not to say*, *no answer* and *skipped*
are counted apart and left out of the percentages; *completion* is the share of the survey's
started responses that reached the question (answered or declined).  A group with fewer than
``min_sample`` answers is flagged: its percentages say little.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpline.config.schema import CountryConfig, Survey, SurveyQuestion

NOT_ANSWERED = ("prefer_not", "no_answer", "skipped")
ALL_LANGUAGES = "all"


class ReportError(ValueError):
    """Bad input for the report: one line for the user."""


@dataclass
class QuestionStats:
    survey: str
    question: str
    label: str
    language: str
    started: int  # responses to the survey in this language
    counts: Counter = field(default_factory=Counter)  # answer label -> count (real answers)
    declined: Counter = field(default_factory=Counter)  # prefer_not / no_answer / skipped -> count

    @property
    def answered(self) -> int:
        return sum(self.counts.values())

    @property
    def completion(self) -> float:
        reached = self.answered + sum(self.declined.values())
        return reached / self.started if self.started else 0.0

    def percent(self, label: str) -> float:
        return 100.0 * self.counts[label] / self.answered if self.answered else 0.0


def answer_label(question: SurveyQuestion, answer: str) -> str | None:
    """The label reported for a stored answer, or None when the answer does not fit the question."""
    if question.kind == "choice":
        return (
            question.choices[int(answer) - 1]
            if answer.isdigit() and 1 <= int(answer) <= len(question.choices)
            else None
        )
    if question.kind == "yes_no":
        return answer if answer in ("yes", "no") else None
    return answer if answer.isdigit() and len(answer) <= question.max_digits else None


def _bucket(question: SurveyQuestion, answer: str) -> str:
    """Numbers are grouped so a chart stays readable: 1, 2, ..., 9, 10+."""
    return answer if question.kind != "number" or int(answer) < 10 else "10+"


def summarize(
    cfg: CountryConfig, answers: list[dict[str, Any]], only: list[Survey] | None = None
) -> tuple[list[QuestionStats], list[str]]:
    """Stats per survey question, for all languages and per language; plus warnings (unknown data)."""
    surveys = {s.id: s for s in (cfg.surveys if only is None else only)}
    answers = [a for a in answers if only is None or a.get("survey_id") in surveys]
    warnings: list[str] = []
    started: dict[tuple[str, str], set[str]] = defaultdict(set)
    for a in answers:
        if a.get("survey_id") in surveys:
            for lang in (ALL_LANGUAGES, a.get("language") or "unknown"):
                started[(a["survey_id"], lang)].add(a.get("response_key", ""))
    stats: dict[tuple[str, str, str], QuestionStats] = {}
    for (survey_id, lang), keys in sorted(started.items()):
        for q in surveys[survey_id].questions:
            stats[(survey_id, q.id, lang)] = QuestionStats(survey_id, q.id, q.label, lang, len(keys))
    unknown = Counter()
    for a in answers:
        survey = surveys.get(a.get("survey_id", ""))
        question = next((q for q in survey.questions if q.id == a.get("question_id")), None) if survey else None
        if question is None:
            unknown[f"{a.get('survey_id')}/{a.get('question_id')}"] += 1
            continue
        value = str(a.get("answer", ""))
        label = None if value in NOT_ANSWERED else answer_label(question, value)
        if value not in NOT_ANSWERED and label is None:
            unknown[f"{survey.id}/{question.id}={value}"] += 1
            continue
        for lang in (ALL_LANGUAGES, a.get("language") or "unknown"):
            entry = stats[(survey.id, question.id, lang)]
            if label is None:
                entry.declined[value] += 1
            else:
                entry.counts[_bucket(question, label)] += 1
    warnings += [f"{n} answers not in the country file's surveys: {what}" for what, n in sorted(unknown.items()) if n]
    return list(stats.values()), warnings


def _label_order(question: SurveyQuestion, stat: QuestionStats) -> list[str]:
    if question.kind == "choice":
        return list(question.choices)
    if question.kind == "yes_no":
        return ["yes", "no"]
    return sorted(stat.counts, key=lambda v: (v == "10+", int(v) if v.isdigit() else 0))


def write_csv(cfg: CountryConfig, stats: list[QuestionStats], path: Path, min_sample: int) -> None:
    questions = {(s.id, q.id): q for s in cfg.surveys for q in s.questions}
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["survey", "question", "label", "language", "answer", "count", "percent_of_answered",
                      "answered", "declined", "started", "completion_percent", "small_sample"])  # fmt: skip
        for st in stats:
            rows = [
                (label, st.counts[label], f"{st.percent(label):.1f}")
                for label in _label_order(questions[(st.survey, st.question)], st)
            ]
            rows += [(kind, n, "") for kind, n in sorted(st.declined.items())]
            for answer, count, percent in rows:
                out.writerow([st.survey, st.question, st.label, st.language, answer, count, percent, st.answered,
                              sum(st.declined.values()), st.started, f"{100 * st.completion:.1f}",
                              "yes" if st.answered < min_sample else "no"])  # fmt: skip


def write_charts(cfg: CountryConfig, stats: list[QuestionStats], out_dir: Path, min_sample: int) -> list[Path]:
    """One bar chart per survey question (all languages), percentages of those who answered."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    from matplotlib import pyplot as plt

    questions = {(s.id, q.id): q for s in cfg.surveys for q in s.questions}
    paths = []
    for st in (s for s in stats if s.language == ALL_LANGUAGES):
        labels = _label_order(questions[(st.survey, st.question)], st)
        fig, ax = plt.subplots(figsize=(7, 0.5 * len(labels) + 1.6))
        ax.barh(labels[::-1], [st.percent(label) for label in labels][::-1], color="#3f6fb5")
        ax.set_xlim(0, 100)
        ax.set_xlabel("% of those who answered")
        flag = "  (small sample)" if st.answered < min_sample else ""
        ax.set_title(f"{st.label}: n={st.answered}, completion {100 * st.completion:.0f}%{flag}", fontsize=10)
        fig.tight_layout()
        path = out_dir / f"{st.survey}-{st.question}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    return paths


def survey_by_id(cfg: CountryConfig, survey_id: str | None) -> list[Survey]:
    if survey_id is None:
        return list(cfg.surveys)
    chosen = [s for s in cfg.surveys if s.id == survey_id]
    if not chosen:
        offered = ", ".join(s.id for s in cfg.surveys) or "none"
        raise ReportError(f"{cfg.code} has no survey '{survey_id}' (surveys: {offered})")
    return chosen


def report_document(
    code: str, stats: list[QuestionStats], min_sample: int, warnings: list[str], files: list[Path]
) -> dict[str, Any]:
    """What the table shows, as data: per survey question and language the answers with their counts and
    percentages of those who answered, the declined answers, completion and the small-sample flag."""
    rows = [
        {
            "survey": st.survey,
            "question": st.question,
            "label": st.label,
            "language": st.language,
            "started": st.started,
            "answered": st.answered,
            "small_sample": st.answered < min_sample,
            "completion_percent": round(100 * st.completion, 1),
            "answers": [
                {"answer": label, "count": st.counts[label], "percent_of_answered": round(st.percent(label), 1)}
                for label in st.counts
            ],
            "declined": dict(sorted(st.declined.items())),
        }
        for st in stats
    ]
    return {
        "country": code,
        "min_sample": min_sample,
        "questions": rows,
        "warnings": warnings,
        "files": [str(f) for f in files],
    }
