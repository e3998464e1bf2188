"""The conformance catalog of course equations and its reports."""
