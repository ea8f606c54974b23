"""Answer-first question synthesis: programs compute the answer from the spec, then phrase it."""

from synth.qa_synth.chart import chart_questions

__all__ = ["chart_questions"]
