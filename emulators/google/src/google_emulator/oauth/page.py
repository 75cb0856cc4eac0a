"""The consent page and the error page, in Korean and English, with no external assets."""

from html import escape
from urllib.parse import urlencode

from google_emulator.oauth.scopes import SCOPE_LABELS
from google_emulator.oauth.service import AuthPageError, AuthRequest

STYLE = (
    "body{font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em;color:#202124}"
    "h1{font-size:1.4em}li{margin:.3em 0}button{padding:.5em 1.2em;margin-right:.5em}"
    "input[type=email]{width:100%;padding:.4em}.err{color:#b3261e}"
)


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )


def consent_page(*, req: AuthRequest, params: dict[str, str], accounts: list[str]) -> str:
    """The form where a tester picks or types an account and allows or denies access."""
    scopes = "".join(
        f'<li><label><input type="checkbox" name="granted_scope" value="{escape(s)}" checked> '
        f"{escape(SCOPE_LABELS.get(s, (s, s))[0])} / {escape(SCOPE_LABELS.get(s, (s, s))[1])}"
        f" <small>({escape(s)})</small></label></li>"
        for s in req.scopes
    )
    options = "".join(f'<option value="{escape(a)}">' for a in accounts)
    hint = escape(req.login_hint or (accounts[0] if accounts else ""))
    body = (
        "<h1>Google 계정으로 로그인 / Sign in with Google</h1>"
        f"<p><b>{escape(req.client_id)}</b> 앱이 다음 권한을 요청합니다 / "
        "wants to access your Google Account:</p>"
        '<form method="post">'
        f'<input type="hidden" name="query" value="{escape(urlencode(params))}">'
        '<p><label>이메일 / E-mail<br><input type="email" name="email" list="accounts" '
        f'required value="{hint}"></label></p>'
        f'<datalist id="accounts">{options}</datalist>'
        f"<ul>{scopes}</ul>"
        '<button type="submit" name="decision" value="allow">허용 / Allow</button>'
        '<button type="submit" name="decision" value="deny" formnovalidate>'
        "거부 / Deny</button></form>"
    )
    return _page("Google 계정 / Google Account", body)


def error_page(err: AuthPageError) -> str:
    """Google's own error page: the request is not sent back to the client."""
    body = (
        '<h1 class="err">액세스 차단됨 / Access blocked</h1>'
        f"<p>오류 {err.status}: {escape(err.error)} / Error {err.status}: {escape(err.error)}</p>"
        f"<p>{escape(err.description)}</p>"
    )
    return _page("오류 / Error", body)
