"""OAuth 2.0: consent page, token, revoke, userinfo, tokeninfo."""
