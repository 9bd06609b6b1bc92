from django.http import HttpRequest


def organisation(request: HttpRequest) -> dict[str, object]:
    return {"org": getattr(request, "org", None), "membership": getattr(request, "membership", None)}
