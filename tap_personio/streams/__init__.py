"""Streams, one module per Personio domain; ``STREAMS`` lists them in sync order."""

from tap_personio.streams.absences import (
    AbsencePeriodBreakdownsStream,
    AbsencePeriodsStream,
    AbsenceTypesStream,
    EmployeeAbsenceBalancesStream,
    TimeOffsStream,
    TimeOffTypesStream,
)
from tap_personio.streams.compensation import CompensationTypesStream, SalaryBandsStream
from tap_personio.streams.organization import (
    CostCentersStream,
    DocumentCategoriesStream,
    DocumentsStream,
    JobsStream,
    LegalEntitiesStream,
    OrgUnitsStream,
    ProjectMembersStream,
    ProjectsStream,
    WorkplacesStream,
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
    LegalEntitiesStream,
    OrgUnitsStream,
    CostCentersStream,
    WorkplacesStream,
    JobsStream,
    ProjectsStream,
    ProjectMembersStream,
    CompensationTypesStream,
    SalaryBandsStream,
    DocumentCategoriesStream,
    DocumentsStream,
)

__all__ = ["STREAMS"]
