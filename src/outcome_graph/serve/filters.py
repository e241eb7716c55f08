"""The template filters every page uses to give figures and terms in people's words: a vocabulary
term by its label, a count with its plural, a period as "Q1 2016/17", a figure with its unit. Labels
come from the served graph (the ontology files' outside a server), never from a dict here."""

from __future__ import annotations

from flask import Blueprint, current_app

from .. import labels as labels_mod
from ..human import name_of
from . import EXTENSION

bp = Blueprint("filters", __name__)


def labels() -> labels_mod.Labels:
    """The served graph's labels (the ontology files' outside a server, e.g. the CLI's audit)."""
    ext = current_app.extensions.get(EXTENSION) if current_app else None
    if ext and ext.get("store") is not None:
        return labels_mod.for_store(ext["store"])
    return labels_mod.from_ontology()


@bp.app_template_filter("label")
def _label_filter(term) -> str:
    """{{ status|label }}: a vocabulary term (IRI, og:name or local name) as its label."""
    return labels().term(term) if term else ""


@bp.app_template_filter("counted")
def _counted_filter(term, n) -> str:
    """{{ 'Priority'|counted(2) }}: '2 priorities', with the class's og:pluralLabel."""
    return labels().counted(int(n), term)


@bp.app_template_filter("plural")
def _plural_filter(term) -> str:
    """{{ kind|plural }}: the class's og:pluralLabel ('Priorities')."""
    return labels().plural(term) if term else ""


@bp.app_template_filter("total_name")
def _total_name_filter(key) -> str:
    return labels().notation(key)


@bp.app_template_filter("reading")
def _reading_filter(rel) -> str:
    return labels().reading(rel)


@bp.app_template_filter("period")
def _period_filter(period) -> str:
    return labels_mod.period_text(period)


@bp.app_template_filter("year")
def _year_filter(year) -> str:
    return labels_mod.year_text(year) if year else ""


@bp.app_template_filter("figure")
def _figure_filter(value, unit=None) -> str:
    return labels_mod.value_text(value, unit)


@bp.app_template_filter("standing_change")
def _standing_change_filter(point, points, attr: str) -> str:
    """{{ p|standing_change(r.figures, 'rank') }}: 'was 13 in 2018/19' (charts.standing_change)."""
    from ..charts import standing_change

    return standing_change(points, point, attr)


@bp.app_template_filter("lines")
def _lines_filter(text) -> str:
    """'2020-2021 line 208; 2016-2017 lines 5-6' -> '2020/21 line 208; 2016/17 lines 5–6'."""
    return labels_mod.years_in_text(str(text or ""))


@bp.app_template_filter("plain")
def _plain_filter(text) -> str:
    """Free text the graph's code wrote (a gap's detail): years as 2020/21, statuses by their labels."""
    return labels().in_text(labels_mod.years_in_text(str(text or "")))


@bp.app_template_global("name_of")
def _name_of(code, title) -> str:
    return name_of(code, title)
