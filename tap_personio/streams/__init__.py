"""Streams, one module per Personio domain; ``STREAMS`` lists them in sync order."""

from tap_personio.streams.absences import (
    AbsencePeriodBreakdownsStream,
    AbsencePeriodsStream,
    AbsenceTypesStream,
    EmployeeAbsenceBalancesStream,
    TimeOffsStream,
    TimeOffTypesStream,
)
from tap_personio.streams.people import (
    EmployeeAttributesStream,
    EmployeesStream,
    EmploymentsStream,
    PersonsStream,
)

STREAMS = (
    EmployeeAttributesStream,
    EmployeesStream,
    PersonsStream,
    EmploymentsStream,
    TimeOffTypesStream,
    TimeOffsStream,
    AbsenceTypesStream,
    AbsencePeriodsStream,
    AbsencePeriodBreakdownsStream,
    EmployeeAbsenceBalancesStream,
)

__all__ = ["STREAMS"]
