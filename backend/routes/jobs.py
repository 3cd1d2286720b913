"""Background jobs: team and period planning, and their status."""

from __future__ import annotations

from flask.views import MethodView

from .. import job_runner
from ..auth import current_user
from ..models import Role
from ..schemas.jobs import JobSchema, TeamPlanningSchema
from ..services import jobs, team_planning
from .base import ApiBlueprint
from .operations import write

blp = ApiBlueprint("jobs", __name__, url_prefix="/api", description="Background jobs")


@blp.route("/planning-jobs")
class PlanningJobs(MethodView):
    @blp.auth(Role.ADMIN, Role.SUPERVISOR, Role.AREA_MANAGER)
    @blp.arguments(TeamPlanningSchema)
    @write(blp)
    @blp.response(202, JobSchema)
    def post(self, data):
        """Plan every rep of a team for each working day of a range (draft plans), as a job.

        Visit cycles pick each day's stores by their visit frequency; each day is then optimised.
        Days with a plan are skipped (with `replace_drafts`, drafts are planned again). The
        range cannot start before the business today (422). Poll GET /api/jobs/{id}.
        """
        job = team_planning.submit_team_planning(
            current_user(),
            data["team_id"],
            data["date_from"],
            data["date_to"],
            data.get("seconds"),
            data["replace_drafts"],
        )
        job_runner.start(job)
        return job


@blp.route("/jobs/<job_id>")
class JobById(MethodView):
    @blp.auth()
    @blp.response(200, JobSchema)
    @blp.errors(404)
    def get(self, job_id):
        """A job's status, progress and (when done) result."""
        return jobs.get_job(current_user(), job_id)


@blp.route("/jobs/<job_id>/cancel")
class JobCancel(MethodView):
    @blp.auth()
    @write(blp)
    @blp.response(200, JobSchema)
    @blp.errors(403, 404, 409)
    def post(self, job_id):
        """Stop a job: a queued one at once, a running one before its next step (team planning:
        the next rep-day; the days planned so far stay drafts, listed in `result`).

        The job's creator, or a supervisor or admin whose scope holds the job's team, may stop
        it. A finished job answers 409.
        """
        return jobs.request_cancel(current_user(), job_id)
