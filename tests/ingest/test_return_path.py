"""The LMTP server writes the envelope sender into the message as its final delivery agent."""

from __future__ import annotations

from suppression.lmtp import with_return_path


def test_the_null_sender_goes_on_top_with_the_messages_own_line_ends() -> None:
    assert with_return_path(b"From: a@x\r\n\r\nhi\r\n", "<>") == (
        b"Return-Path: <>\r\nFrom: a@x\r\n\r\nhi\r\n"
    )
    assert with_return_path(b"From: a@x\n\nhi\n", "bounce@x.example") == (
        b"Return-Path: <bounce@x.example>\nFrom: a@x\n\nhi\n"
    )


def test_a_return_path_the_message_has_is_kept_and_not_doubled() -> None:
    # Postfix's pipe with flags=R wrote it (and the pipe hands the message over with MAIL FROM:<>).
    raw = b"Return-Path: <ann@person.example>\nFrom: ann@person.example\n\nhi\n"
    assert with_return_path(raw, "<>") == raw
    assert with_return_path(b"From: a@x\nreturn-path:<>\n\nhi\n", "x@y") == (
        b"From: a@x\nreturn-path:<>\n\nhi\n"
    )


def test_a_return_path_in_the_body_is_no_header() -> None:
    raw = b"From: a@x\n\nReturn-Path: <quoted@x>\n"
    assert with_return_path(raw, "<>").startswith(b"Return-Path: <>\n")


def test_no_envelope_no_header() -> None:
    assert with_return_path(b"From: a@x\n\nhi\n", None) == b"From: a@x\n\nhi\n"
