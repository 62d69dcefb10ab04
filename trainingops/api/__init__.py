"""The REST API's shared machinery, one concern a module: the router, token authentication and the
token endpoints, the error format, pagination, request parsers, the schema and throttles."""
