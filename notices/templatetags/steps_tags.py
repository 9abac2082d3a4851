"""Links of the guided editor (notices.steps) for templates outside its pages."""

from __future__ import annotations

from django import template

from ..completeness import Problem
from ..models import Register
from ..steps import problem_url

register = template.Library()


@register.filter
def fix_url(problem: Problem, register_obj: Register) -> str:
    """Where ``problem`` is fixed: its step, field and language (or the controller's page)."""
    return problem_url(problem, register_obj)
