"""Streams, one module per Personio domain; ``STREAMS`` lists them in sync order."""

from tap_personio.streams.people import EmployeeAttributesStream, EmployeesStream

STREAMS = (EmployeeAttributesStream, EmployeesStream)

__all__ = ["STREAMS"]
