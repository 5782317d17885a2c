"""Reads of roster imports, always cut to the viewer's jurisdiction."""

from django.db.models import QuerySet

from shouwang.accounts import access
from shouwang.audit.refusals import not_found

from .models import ImportJob

HEAVY_FIELDS = ("errors", "samples", "notes")


def import_job_list_for(*, viewer) -> QuerySet[ImportJob]:
    """The imports whose uploader's area lies in the viewer's jurisdiction, newest
    first; nothing for roles that do not edit children."""
    if not access.has_perm(viewer, access.Perm.EDIT_CHILDREN):
        return ImportJob.objects.none()
    return access.scope(viewer, ImportJob.objects.all(), "area_id").select_related(
        "user", "committed_by"
    )


def import_job_get_for(*, viewer, pk, light: bool = False) -> ImportJob:
    """One import the viewer may see; 404 for missing and not-yours alike. `light`
    leaves out the stored errors and samples (for the progress poll)."""
    jobs = import_job_list_for(viewer=viewer)
    if light:
        jobs = jobs.defer(*HEAVY_FIELDS)
    try:
        return jobs.get(pk=int(pk))
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise not_found(
            viewer=viewer,
            model=ImportJob,
            pk=pk,
            message="导入记录不存在或不在您的管辖范围内。",
        ) from None
