"""The admin's set-up pages: units, people, the campaign, the framework, point types, sites, categories.

Every page is one of three generic shapes (a list, a create form, an edit
form) on :class:`AdminOnlyMixin`. Forms validate through the models; the save
goes through a service (``unit_save``, ``user_save``, ``save_validated`` …),
and whatever that service still refuses is shown on the form, with nothing
written.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import CreateView, FormView, ListView, TemplateView, UpdateView

from accounts.access import is_admin
from accounts.models import Unit, User
from accounts.selectors import unit_tree
from accounts.services import unit_save, user_save
from campaign import loader
from campaign.models import (
    Campaign,
    Content,
    EventCategory,
    Framework,
    NegativeListItem,
    PointType,
    Site,
    Standard,
)
from campaign.selectors import event_categories, framework_tree, frameworks_with_counts
from campaign.services import point_type_save, save_validated, standard_add
from campaign.setup import selectors as setup_selectors
from campaign.setup.forms import (
    CampaignForm,
    CheckItemFormSet,
    ContentForm,
    MajorCategoryForm,
    MinorCategoryForm,
    NegativeListItemForm,
    PasswordResetForm,
    PeopleFilterForm,
    PersonCreateForm,
    PersonForm,
    PointTypeForm,
    SiteFilterForm,
    SiteForm,
    StandardForm,
    UnitForm,
)

PAGE_SIZE = 50


# --- shared shapes ------------------------------------------------------------------------


class AdminOnlyMixin(LoginRequiredMixin):
    """Anonymous visitors go to sign-in; signed-in people who are not admins are told why they cannot."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_admin(request.user):
            raise PermissionDenied(_t("Only an administrator can change the set-up."))
        return super().dispatch(request, *args, **kwargs)


def add_service_errors(form, exc: ValidationError) -> None:
    """Put what a service refused on the form: on the field it names when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target if field != NON_FIELD_ERRORS else None, error)
    else:
        form.add_error(None, exc)


class SetupFormMixin(AdminOnlyMixin):
    """Create or edit one object: validate with the form, save with a service, show what it refuses."""

    template_name = "setup/form.html"
    list_url_name: str = ""
    section_title = ""

    def save(self, form) -> Model:
        return save_validated(instance=form.instance)

    def form_valid(self, form):
        try:
            self.object = self.save(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _t("Saved: %(name)s.") % {"name": self.object})
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        return reverse(self.list_url_name)

    def get_cancel_url(self):
        return self.get_success_url()

    def heading(self) -> str:
        meta = self.model._meta
        if getattr(self, "original_label", None):
            return _t("Edit %(kind)s: %(name)s") % {"kind": meta.verbose_name, "name": self.original_label}
        return _t("New %(kind)s") % {"kind": meta.verbose_name}

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        # The form writes typed values onto the object; the heading keeps the stored name.
        self.original_label = str(obj)
        return obj

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.heading(), cancel_url=self.get_cancel_url(),
            section_title=self.section_title, section_url=reverse(self.list_url_name), **kwargs,
        )


class SetupCreateView(SetupFormMixin, CreateView):
    pass


class SetupUpdateView(SetupFormMixin, UpdateView):
    pass


class SetupListView(AdminOnlyMixin, ListView):
    """A list page; ``filter_form_class`` (a GET form) narrows ``get_queryset`` when given."""

    filter_form_class = None
    filter_form = None

    def get_filter_form(self):
        if self.filter_form is None and self.filter_form_class is not None:
            self.filter_form = self.filter_form_class(self.request.GET or None)
        return self.filter_form

    def filters(self) -> dict:
        form = self.get_filter_form()
        return form.cleaned_data if form is not None and form.is_valid() else {}

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(filter_form=self.get_filter_form(), query=query.urlencode(), **kwargs)


# --- index ----------------------------------------------------------------------------------


class IndexView(AdminOnlyMixin, TemplateView):
    template_name = "setup/index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(counts=setup_selectors.setup_counts(), **kwargs)


# --- units ----------------------------------------------------------------------------------


class UnitListView(SetupListView):
    template_name = "setup/units.html"

    def get_queryset(self):
        return unit_tree()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = [(u, "　" * (u.depth - 1) + "└ " if u.depth else "") for u in context["object_list"]]
        return context


class UnitFormMixin:
    model = Unit
    form_class = UnitForm
    list_url_name = "setup:units"
    section_title = _("Units")

    def save(self, form):
        return unit_save(unit=form.instance)


class UnitCreateView(UnitFormMixin, SetupCreateView):
    pass


class UnitUpdateView(UnitFormMixin, SetupUpdateView):
    pass


# --- people ---------------------------------------------------------------------------------


class PeopleListView(SetupListView):
    template_name = "setup/people.html"
    filter_form_class = PeopleFilterForm
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        f = self.filters()
        return setup_selectors.people_list(unit=f.get("unit"), role=f.get("role") or "", search=f.get("q") or "")


class PersonFormMixin:
    model = User
    list_url_name = "setup:people"
    section_title = _("People")


class PersonCreateView(PersonFormMixin, SetupCreateView):
    form_class = PersonCreateForm

    def save(self, form):
        return user_save(user=form.instance, password=form.cleaned_data["password1"])


class PersonUpdateView(PersonFormMixin, SetupUpdateView):
    form_class = PersonForm

    def save(self, form):
        person = form.instance
        if person.pk == self.request.user.pk and not (is_admin(person) or person.is_superuser):
            # Nobody else may be left to undo it: keep the last door open.
            raise ValidationError(_t("You cannot take away your own administrator role or deactivate yourself."))
        return user_save(user=person)


class PersonPasswordView(AdminOnlyMixin, FormView):
    form_class = PasswordResetForm
    template_name = "setup/form.html"

    @cached_property
    def person(self) -> User:
        # Looked up only once the visitor is known to be an admin: nobody else learns which ids exist.
        return get_object_or_404(User, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.person}

    def form_valid(self, form):
        try:
            user_save(user=self.person, password=form.cleaned_data["password1"])
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _t("The password of %(name)s is reset.") % {"name": self.person})
        return HttpResponseRedirect(reverse("setup:people"))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=_t("Reset the password of %(name)s") % {"name": self.person.display_name},
            cancel_url=reverse("setup:person_update", args=[self.person.pk]),
            section_title=_("People"), section_url=reverse("setup:people"), **kwargs,
        )


# --- campaign -------------------------------------------------------------------------------


class CampaignListView(SetupListView):
    template_name = "setup/campaigns.html"

    def get_queryset(self):
        return setup_selectors.campaigns_list()


class CampaignFormMixin:
    model = Campaign
    form_class = CampaignForm
    list_url_name = "setup:campaigns"
    section_title = _("Campaigns")


class CampaignCreateView(CampaignFormMixin, SetupCreateView):
    pass


class CampaignUpdateView(CampaignFormMixin, SetupUpdateView):
    pass


# --- evaluation framework -----------------------------------------------------------------


class FrameworkListView(SetupListView):
    template_name = "setup/frameworks.html"

    def get_queryset(self):
        return frameworks_with_counts()


class FrameworkLoadView(AdminOnlyMixin, View):
    """Load the shipped data files: all or nothing, and loading again only adds what is missing."""

    http_method_names = ["post"]

    def post(self, request):
        context = {"frameworks": None}
        try:
            # Read the paths at call time, so a deployment (or a test) can point them elsewhere.
            framework, report = loader.load_all(loader.FRAMEWORK_FILE, loader.POINTS_FILE, loader.CASES_FILE)
        except loader.DataFileError as exc:
            context["error"] = exc
            status = 422
        else:
            context.update(framework=framework, report=report, kinds=_report_rows(report))
            status = 200
        return render(request, "setup/framework_load.html", context, status=status)


REPORT_KINDS = {
    "framework": _("evaluation framework"), "item": _("evaluation items"), "indicator": _("indicators"),
    "content": _("evaluation contents"), "standard": _("evaluation standards"),
    "negative": _("negative-list clauses"), "point_type": _("point types"), "check": _("check-list items"),
    "category": _("event categories"),
}


def _report_rows(report: loader.LoadReport) -> list[tuple[str, int, int]]:
    return [(label, report.created.get(kind, 0), report.existing.get(kind, 0)) for kind, label in REPORT_KINDS.items()]


class FrameworkDetailView(AdminOnlyMixin, TemplateView):
    template_name = "setup/framework_detail.html"

    def get_context_data(self, **kwargs):
        framework = get_object_or_404(Framework, pk=kwargs["pk"])
        return super().get_context_data(
            framework=framework, items=framework_tree(framework),
            negative_items=setup_selectors.negative_items(framework), **kwargs,
        )


class FrameworkPartMixin:
    """Edits inside one framework go back to its page."""

    list_url_name = "setup:frameworks"
    section_title = _("Evaluation framework")

    def framework_pk(self) -> int:
        return self.object.framework_id

    def get_success_url(self):
        return reverse("setup:framework_detail", args=[self.framework_pk()])


class ContentUpdateView(FrameworkPartMixin, SetupUpdateView):
    model = Content
    form_class = ContentForm


class StandardUpdateView(FrameworkPartMixin, SetupUpdateView):
    model = Standard
    form_class = StandardForm


class StandardCreateView(FrameworkPartMixin, SetupCreateView):
    model = Standard
    form_class = StandardForm

    @cached_property
    def content(self) -> Content:
        return get_object_or_404(Content, pk=self.kwargs["content_pk"])

    def framework_pk(self):
        return self.content.framework_id

    def heading(self):
        return _t("New standard of %(content)s") % {"content": self.content}

    def save(self, form):
        return standard_add(content=self.content, text=form.cleaned_data["text"],
                            bureau_scope=form.cleaned_data["bureau_scope"])


class NegativeItemUpdateView(FrameworkPartMixin, SetupUpdateView):
    model = NegativeListItem
    form_class = NegativeListItemForm


class NegativeItemCreateView(FrameworkPartMixin, SetupCreateView):
    model = NegativeListItem
    form_class = NegativeListItemForm

    @cached_property
    def framework(self) -> Framework:
        return get_object_or_404(Framework, pk=self.kwargs["framework_pk"])

    def framework_pk(self):
        return self.framework.pk

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": NegativeListItem(framework=self.framework)}


# --- point types and check lists ----------------------------------------------------------


class PointTypeListView(SetupListView):
    template_name = "setup/point_types.html"

    def get_queryset(self):
        return setup_selectors.point_types_with_counts()


class PointTypeFormMixin:
    """A point type and its check list, edited on one page and saved together."""

    model = PointType
    form_class = PointTypeForm
    template_name = "setup/point_type_form.html"
    list_url_name = "setup:point_types"
    section_title = _("Point types")

    def get_formset(self):
        instance = self.object or PointType()
        data = self.request.POST if self.request.method == "POST" else None
        return CheckItemFormSet(data, instance=instance, prefix="checks",
                                queryset=setup_selectors.checks_of(instance),
                                contents=setup_selectors.content_choices(),
                                standards=setup_selectors.standard_choices())

    def get_context_data(self, **kwargs):
        kwargs.setdefault("formset", self.get_formset())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object() if "pk" in kwargs else None
        form, formset = self.get_form(), self.get_formset()
        if not (form.is_valid() and formset.is_valid()):
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        checks = formset.save(commit=False)
        try:
            self.object = point_type_save(point_type=form.instance, checks=checks, deleted=formset.deleted_objects)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        messages.success(request, _t("Saved: %(name)s.") % {"name": self.object})
        return HttpResponseRedirect(self.get_success_url())


class PointTypeCreateView(PointTypeFormMixin, SetupCreateView):
    pass


class PointTypeUpdateView(PointTypeFormMixin, SetupUpdateView):
    pass


# --- sites ----------------------------------------------------------------------------------


class SiteListView(SetupListView):
    template_name = "setup/sites.html"
    filter_form_class = SiteFilterForm
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        f = self.filters()
        return setup_selectors.sites_filtered(unit=f.get("unit"), point_type=f.get("point_type"))


class SiteFormMixin:
    form_class = SiteForm
    list_url_name = "setup:sites"
    section_title = _("Sites")

    model = Site


class SiteCreateView(SiteFormMixin, SetupCreateView):
    pass


class SiteUpdateView(SiteFormMixin, SetupUpdateView):
    pass


# --- event categories -----------------------------------------------------------------------


class CategoryListView(SetupListView):
    template_name = "setup/categories.html"

    def get_queryset(self):
        return event_categories()


class CategoryFormMixin:
    model = EventCategory
    list_url_name = "setup:categories"
    section_title = _("Event categories")


class MajorCategoryCreateView(CategoryFormMixin, SetupCreateView):
    form_class = MajorCategoryForm

    def heading(self):
        return _t("New 大类")


class MajorCategoryUpdateView(CategoryFormMixin, SetupUpdateView):
    form_class = MajorCategoryForm
    queryset = EventCategory.objects.filter(parent__isnull=True)


class MinorCategoryCreateView(CategoryFormMixin, SetupCreateView):
    form_class = MinorCategoryForm

    def heading(self):
        return _t("New 小类")

    def get_initial(self):
        return {"parent": self.request.GET.get("parent")}


class MinorCategoryUpdateView(CategoryFormMixin, SetupUpdateView):
    form_class = MinorCategoryForm
    queryset = EventCategory.objects.filter(parent__isnull=False).select_related("parent")
