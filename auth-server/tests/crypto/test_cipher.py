import pytest

from auth_server.crypto import (
    ACCESS_TOKEN,
    REFRESH_TOKEN,
    DecryptionError,
    KeyConfigError,
    TokenCipher,
    generate_key,
    parse_keys,
)


def test_roundtrip_binds_owner_and_column():
    cipher = TokenCipher.from_setting(generate_key())
    stored = cipher.encrypt("1//secret-refresh", column=REFRESH_TOKEN, owner="user-a")
    assert "secret" not in stored
    assert cipher.decrypt(stored, column=REFRESH_TOKEN, owner="user-a") == "1//secret-refresh"
    with pytest.raises(DecryptionError):
        cipher.decrypt(stored, column=REFRESH_TOKEN, owner="user-b")
    with pytest.raises(DecryptionError):
        cipher.decrypt(stored, column=ACCESS_TOKEN, owner="user-a")


def test_nonces_differ_so_equal_tokens_do_not_look_equal():
    cipher = TokenCipher.from_setting(generate_key())
    one = cipher.encrypt("same", column=ACCESS_TOKEN, owner="u")
    two = cipher.encrypt("same", column=ACCESS_TOKEN, owner="u")
    assert one != two


def test_first_key_encrypts_all_keys_decrypt():
    old, new = generate_key(), generate_key()
    before = TokenCipher.from_setting(old).encrypt("tok", column=ACCESS_TOKEN, owner="u")
    both = TokenCipher.from_setting(f"{new},{old}")
    assert both.decrypt(before, column=ACCESS_TOKEN, owner="u") == "tok"
    again = both.reencrypt(before, column=ACCESS_TOKEN, owner="u")
    assert again is not None
    assert both.key_id(again) == new.split(":")[0]
    assert both.reencrypt(again, column=ACCESS_TOKEN, owner="u") is None
    with pytest.raises(DecryptionError):
        TokenCipher.from_setting(new).decrypt(before, column=ACCESS_TOKEN, owner="u")


def test_tampering_is_detected():
    cipher = TokenCipher.from_setting(generate_key())
    stored = cipher.encrypt("tok", column=ACCESS_TOKEN, owner="u")
    flipped = stored[:-2] + ("A" if stored[-2] != "A" else "B") + stored[-1]
    with pytest.raises(DecryptionError):
        cipher.decrypt(flipped, column=ACCESS_TOKEN, owner="u")


@pytest.mark.parametrize("value", ["", "nokid", "k1:short", "bad kid!:" + "A" * 43])
def test_malformed_key_settings_are_refused(value):
    with pytest.raises(KeyConfigError):
        parse_keys(value)


def test_duplicate_key_ids_are_refused():
    key = generate_key()
    with pytest.raises(KeyConfigError):
        parse_keys(f"{key},{key}")
