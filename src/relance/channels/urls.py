from django.urls import URLPattern, path, register_converter

from relance.channels import views


class IsoDateConverter:
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str):  # noqa: ANN201
        from datetime import date

        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(value)

    def to_url(self, value) -> str:  # noqa: ANN001
        return value.isoformat()


register_converter(IsoDateConverter, "isodate")

app_name = "channels"
urlpatterns: list[URLPattern] = [
    path("", views.document_index, name="index"),
    path("lot/<isodate:day>/", views.batch_download, name="batch"),
    path("fichier/<int:pk>/", views.document_download, name="download"),
    path("releve/<int:customer_id>/", views.statement_download, name="statement"),
    path("contentieux/<int:customer_id>/", views.litigation_download, name="litigation"),
    path("contentieux/<int:customer_id>/juridiction/", views.court_choice, name="court"),
    path("recommande/<int:pk>/", views.registered_letter_update, name="registered_letter"),
]
