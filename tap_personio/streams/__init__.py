"""Streams, one module per Personio domain; ``STREAMS`` lists them in sync order."""

from tap_personio.streams.absences import (
    AbsencePeriodBreakdownsStream,
    AbsencePeriodsStream,
    AbsenceTypesStream,
    EmployeeAbsenceBalancesStream,
    TimeOffsStream,
    TimeOffTypesStream,
)
from tap_personio.streams.analytics import ReportsStream
from tap_personio.streams.attendances import AttendancePeriodsStream
from tap_personio.streams.compensation import (
    CompensationsStream,
    CompensationTypesStream,
    SalaryBandsStream,
)
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
from tap_personio.streams.recruiting import (
    RecruitingApplicationsStream,
    RecruitingCandidatesStream,
    RecruitingCategoriesStream,
    RecruitingJobsStream,
    RecruitingStageTransitionsStream,
)
from tap_personio.streams.reports import (
    CustomReportColumnsStream,
    CustomReportItemsStream,
    CustomReportsStream,
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
    AttendancePeriodsStream,
    LegalEntitiesStream,
    OrgUnitsStream,
    CostCentersStream,
    WorkplacesStream,
    JobsStream,
    ProjectsStream,
    ProjectMembersStream,
    CompensationsStream,
    CompensationTypesStream,
    SalaryBandsStream,
    DocumentCategoriesStream,
    DocumentsStream,
    RecruitingCandidatesStream,
    RecruitingApplicationsStream,
    RecruitingStageTransitionsStream,
    RecruitingJobsStream,
    RecruitingCategoriesStream,
    CustomReportsStream,
    CustomReportColumnsStream,
    CustomReportItemsStream,
    ReportsStream,
)

__all__ = ["STREAMS"]
