"""Settings: file defaults, TERMINUS_* environment overrides with types, explicit overrides."""

from __future__ import annotations

import pytest

from backend.config import ConfigError, flask_config, load_settings


def test_environment_overrides_defaults_with_the_defaults_type():
    settings = load_settings(
        environ={"TERMINUS_TOKEN_TTL_HOURS": "12", "TERMINUS_REDIS_URL": "redis://x"}
    )
    assert settings["TOKEN_TTL_HOURS"] == 12
    assert settings["REDIS_URL"] == "redis://x"


def test_overrides_win_over_environment():
    settings = load_settings({"TOKEN_TTL_HOURS": 1}, environ={"TERMINUS_TOKEN_TTL_HOURS": "12"})
    assert settings["TOKEN_TTL_HOURS"] == 1


def test_wrong_type_names_the_variable():
    with pytest.raises(ConfigError, match="TERMINUS_TOKEN_TTL_HOURS"):
        load_settings(environ={"TERMINUS_TOKEN_TTL_HOURS": "soon"})


def test_secret_key_is_random_when_unset():
    assert load_settings(environ={})["SECRET_KEY"] != load_settings(environ={})["SECRET_KEY"]


def test_database_defaults_to_sqlite_in_the_instance_folder(tmp_path):
    config = flask_config(load_settings(environ={}), str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'terminus.db'}"
    # Without Redis the rate-limit counters are in the database, never per process.
    assert config["RATELIMIT_STORAGE_URI"] == "terminus-database://"
    pg = flask_config(
        load_settings(environ={"TERMINUS_DATABASE_URL": "postgresql+psycopg://db/t"}), "/x"
    )
    assert pg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db/t"
    assert pg["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
