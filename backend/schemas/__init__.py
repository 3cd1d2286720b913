"""Marshmallow request and response bodies by API area; the OpenAPI document is built from them."""
