"""Flask extensions, created unbound here and bound to the app in `create_app`."""

import logging

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase

from .errors import ErrorSchema, database_unavailable

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TerminusSQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy, except that a connection lost at the end of a request is no error.

    Its session (`db.session`) carries the report-table hook, registered by the write path
    (`backend/writes/executor.py`): before every commit of this session, whoever commits, the
    report tables of the rep-days the transaction touched are recomputed.

    Removing the session rolls back what the request left open; if the connection died
    meanwhile, that rollback raises after the response is made, outside every error handler,
    and gunicorn would answer its own HTML 500 instead. The server has rolled back already.
    """

    def _teardown_session(self, exc: BaseException | None) -> None:
        try:
            self.session.remove()
        except DBAPIError as error:
            if not database_unavailable(error):
                raise
            log.warning("database connection lost at the end of the request: %s", error.orig)
            self.session.remove()  # the dead transaction is gone: this closes the session


db = TerminusSQLAlchemy(model_class=Base)
migrate = Migrate()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class TerminusApi(Api):
    """flask-smorest's Api, documenting our error shape for every error response.

    One instance per app (see `create_app`), so several apps can live in one process.
    """

    ERROR_SCHEMA = ErrorSchema
