from flask_login import current_user
from flask_smorest import abort

from .models import Questionnaire
from .versions import find_questionnaire


def get_questionnaire_or_404(slug: str) -> Questionnaire:
    """The signed-in user's organisation's questionnaire; another organisation's is a 404."""
    questionnaire = find_questionnaire(current_user.organisation_id, slug)
    if questionnaire is None:
        abort(404, message=f"No questionnaire {slug!r}.")
    return questionnaire
