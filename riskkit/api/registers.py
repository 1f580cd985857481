"""Registers, their heat maps and what is overdue: the reads a dashboard builds on."""

from flask_smorest import Blueprint
from marshmallow import RAISE

from riskkit.api import schemas
from riskkit.api.auth import authenticate
from riskkit.api.params import person, register_ids, today
from riskkit.services.heatmaps import build_report
from riskkit.services.overdue import due_items
from riskkit.services.registers import all_registers, get_register, rollup_ids

blp = Blueprint("api_registers", __name__, description="Registers, heat maps and what is overdue")
blp.before_request(authenticate)  # every route: a token, or a 401


@blp.get("/registers")
@blp.response(200, schemas.Register(many=True))
def registers():
    """Every register, in the tree's order."""
    return [{"code": r.code, "name": r.name, "level": r.level,
             "parent": r.parent.code if r.parent else None, "matrix": r.matrix_definition.slug,
             "owner": r.owner.name if r.owner else None, "escalate_at": r.escalate_at}
            for r in all_registers()]


@blp.route("/registers/<code>/heatmap", methods=["GET"], parameters=[{
    "in": "path", "name": "code", "required": True, "example": "AH", "description": "The register's code",
    "schema": {"type": "string", "minLength": 1}}])
@blp.arguments(schemas.HeatMapQuery, location="query", unknown=RAISE)
@blp.response(200, schemas.HeatMap)
def heat_map(query, code):
    """How many live risks sit in each cell of a register's heat map (rolling up the
    registers below it), and in each rating band: the dashboard's heat map."""
    register, everything = get_register(code), all_registers()
    report = build_report(register, query["scores"], person(query.get("owner")), today(), today(), "")
    shown, rolled_up = report.maps[0], rollup_ids(register, everything)
    return {
        "register": register.code, "scores": query["scores"],
        "registers": [r.code for r in everything if r.id in rolled_up],
        "total": shown.total,
        "bands": [{"rating": band.name, "colour_name": band.colour_name, "count": count}
                  for band, count in shown.band_counts()],
        "cells": [{"likelihood": c.likelihood, "impact": c.impact, "score": c.score,
                   "rating": c.band.name, "count": c.count} for c in shown.cells],
    }


@blp.get("/overdue")
@blp.arguments(schemas.OverdueQuery, location="query", unknown=RAISE)
@blp.response(200, schemas.OverdueItem(many=True))
def overdue(query):
    """Overdue reviews and actions (of risks and of issues), lessons and exercise
    programme items, most overdue first: the same list as `riskkit overdue --format
    json`."""
    items = due_items(query.get("as_of") or today(), register_ids(query.get("register")),
                      person(query.get("owner")), query["due_within"])
    return [item.as_json() for item in items]
