"""Web forms; each can take the field errors a service raised."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import HiddenInput

from wiki.storage.models import DocumentKind, Level, OrgKind, Role, Visibility


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class ServiceForm(FlaskForm):
    """A form that shows errors raised by a service beside the fields they name."""

    def add_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            field = self._fields.get(name)
            if field is None:
                self.form_errors.append(message)
            else:
                field.errors = [*field.errors, message]


class DocumentForm(ServiceForm):
    title = StringField("Title", validators=[DataRequired("Enter a title."), Length(max=200)])
    slug = StringField(
        "Address",
        description="Lower-case letters, digits and hyphens, for example national-plan-2026.",
        validators=[DataRequired("Enter an address for the document.")],
    )
    kind = SelectField("Kind", choices=choices(((k.value, k.label)) for k in DocumentKind))
    visibility = SelectField(
        "Who can see it",
        choices=choices(((v.value, v.label)) for v in Visibility),
        default=Visibility.NETWORK.value,
    )
    plan = SelectField(
        "Plan",
        description="A commitment or an annex ask of a plan joins its register; after the "
        "plan's cut-off, a new commitment waits for both leads' consent.",
        default="",
    )


class EditForm(ServiceForm):
    text = TextAreaField("Text (Markdown)")
    base = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class OrganisationForm(ServiceForm):
    name = StringField("Name", validators=[DataRequired("Enter the organisation's name.")])
    kind = SelectField("Kind", choices=choices(((k.value, k.label)) for k in OrgKind))


class PersonForm(ServiceForm):
    name = StringField("Name", validators=[DataRequired("Enter the person's name.")])
    email = StringField("Email address", validators=[DataRequired("Enter an email address.")])
    organisation = SelectField("Organisation", choices=[])
    role = SelectField("Role", choices=choices(((r.value, r.value.capitalize())) for r in Role))
    password = PasswordField(
        "Password", description="At least 10 characters.", validators=[DataRequired()]
    )


class ShareForm(ServiceForm):
    grantee = SelectField("Organisation or person", choices=[])
    access = SelectField("Access", choices=choices((held.value, held.label) for held in Level))


class MembersForm(ServiceForm):
    members = SelectField(
        "Every other member who can see it",
        description="The owner organisation and grants of edit always edit; reviewers never do.",
        choices=choices(
            [
                ("comment", "Can view and comment (the default)"),
                ("edit", "Can edit: every member may edit"),
            ]
        ),
    )


class BreakGlassForm(ServiceForm):
    address = StringField(
        "Document address",
        description="The part after the site's address, such as final-draft.",
        validators=[DataRequired("Enter the document's address.")],
    )
    reason = TextAreaField(
        "Why you must read it",
        description="At least 20 characters. The owner organisation and everyone the "
        "document is shared with will see this, with your name and the time.",
        validators=[
            DataRequired("Write why you must read it."),
            Length(min=20, max=2000, message="Write 20 to 2,000 characters."),
        ],
    )


class VisibilityForm(ServiceForm):
    visibility = SelectField(
        "Who can see it", choices=choices(((v.value, v.label)) for v in Visibility)
    )


class EmbargoForm(ServiceForm):
    until = DateTimeLocalField(
        "Restricted until (UTC)", format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    then = SelectField(
        "Then open to",
        choices=choices((v.value, v.label) for v in (Visibility.NETWORK, Visibility.PUBLIC)),
    )


class CommentForm(ServiceForm):
    quote = TextAreaField(
        "The words it is about",
        description="Exactly as they stand in the document; shorten them to a phrase if you like.",
        validators=[DataRequired("Quote the words the comment is about.")],
    )
    occurrence = IntegerField(default=1, widget=HiddenInput())
    kind = SelectField(
        "What you are adding",
        choices=choices(
            [("comment", "A comment"), ("suggestion", "A suggested rewording of these words")]
        ),
    )
    replacement = TextAreaField(
        "Suggested wording",
        description="For a suggestion only: the words that should stand instead. Leave it "
        "empty to suggest deleting them.",
    )
    body = TextAreaField("Comment", description="Markdown. For a suggestion, say why (optional).")


class ReplyForm(ServiceForm):
    body = TextAreaField("Reply", validators=[DataRequired("Write the reply.")])


class DecideForm(ServiceForm):
    confirm_stale = BooleanField("I have seen that the text changed since; accept anyway")


class ConfirmForm(FlaskForm):
    """An empty form: a button whose POST carries the CSRF token."""

    confirm = HiddenField(default="1")


class NameForm(ServiceForm):
    name = StringField(
        "Name this version", validators=[DataRequired("Enter a name."), Length(max=200)]
    )
