"""Encrypted model fields: the database holds only ciphertext, bound to its place.

Each value is encrypted under the data subject's data key with the associated data
"<model>.<field>:<row id>", so a value copied to another row or field fails to decrypt. The
model says where the data key is with `key_path` (default "data_key"); its primary key must be
a UUID named `id`, known before the first save. Values are decrypted on first access.
History copies (django-simple-history) keep the original model's label, so they decrypt alike
and become unreadable with the original when the key is destroyed.
"""

import datetime
import json
from functools import reduce

from django import forms
from django.db import models
from django.utils.text import capfirst

from . import envelope


class Ciphertext(bytes):
    """A value as loaded from the database, not yet decrypted."""


def data_key_of(instance, key_path: str):
    return reduce(getattr, key_path.split("."), instance)


def plain_key_of(instance, key_path: str) -> bytes:
    """The unwrapped data key for this instance, unwrapped once per instance."""
    data_key = data_key_of(instance, key_path)
    if data_key is None:
        raise envelope.DecryptionError(f"{instance._meta.label} {instance.pk} has no data key")
    keys = instance.__dict__.setdefault("_trm_plain_keys", {})
    if data_key.pk not in keys:
        keys[data_key.pk] = envelope.unwrap(data_key)
    return keys[data_key.pk]


def encrypt_now(instance) -> None:
    """Encrypt the instance's values now: its save then writes the ciphertext as it is. A step
    encrypts what it adds before it locks the case, so as not to do it while holding it."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, EncryptedField):
            sealed = field.pre_save(instance, True)
            instance.__dict__[field.attname] = None if sealed is None else Ciphertext(sealed)


class EncryptedValue:
    """Descriptor: keeps ciphertext as loaded, decrypts when the value is first read."""

    def __init__(self, field):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__.get(self.field.attname)
        if isinstance(value, Ciphertext):
            value = self.field.decrypt_for(instance, value)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class EncryptedField(models.BinaryField):
    form_class: type[forms.Field] = forms.CharField

    def __init__(self, *args, key_path: str = "data_key", **kwargs):
        self.key_path = key_path
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.key_path != "data_key":
            kwargs["key_path"] = self.key_path
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        # History models copy this field; they must keep binding to the original place.
        if not hasattr(self, "bound_label"):
            self.bound_label = cls._meta.label_lower
        setattr(cls, self.attname, EncryptedValue(self))

    def context_for(self, instance) -> str:
        return f"{self.bound_label}.{self.name}:{instance.id}"

    # Subclasses turn their Python value into bytes and back.
    def serialise(self, value) -> bytes:
        return str(value).encode()

    def deserialise(self, data: bytes):
        return data.decode()

    def decrypt_for(self, instance, blob: bytes):
        key = plain_key_of(instance, self.key_path)
        return self.deserialise(envelope.decrypt(blob, key, self.context_for(instance)))

    def from_db_value(self, value, expression, connection):
        return None if value is None else Ciphertext(bytes(value))

    def pre_save(self, model_instance, add):
        value = model_instance.__dict__.get(self.attname)
        if value is None or isinstance(value, Ciphertext):
            return value
        key = plain_key_of(model_instance, self.key_path)
        return envelope.encrypt(self.serialise(value), key, self.context_for(model_instance))

    def get_prep_value(self, value):
        if value is not None and not isinstance(value, bytes):
            raise TypeError(f"{self.name} is encrypted; it cannot be used in a query")
        return value

    def to_python(self, value):
        return value

    def value_from_object(self, obj):
        return getattr(obj, self.attname)

    def formfield(self, **kwargs):
        return self.form_class(
            **{
                "required": not self.blank,
                "label": capfirst(self.verbose_name),
                "help_text": self.help_text,
                **kwargs,
            }
        )


class EncryptedTextField(EncryptedField):
    pass


class EncryptedDateField(EncryptedField):
    form_class = forms.DateField

    def serialise(self, value) -> bytes:
        if not isinstance(value, datetime.date):
            value = datetime.date.fromisoformat(str(value))
        return value.isoformat().encode()

    def deserialise(self, data: bytes):
        return datetime.date.fromisoformat(data.decode())


class EncryptedJSONField(EncryptedField):
    form_class = forms.JSONField

    def serialise(self, value) -> bytes:
        return json.dumps(value, ensure_ascii=False, sort_keys=True).encode()

    def deserialise(self, data: bytes):
        return json.loads(data)


class EncryptedBinaryField(EncryptedField):
    """Bytes, such as an attached file's content."""

    def serialise(self, value) -> bytes:
        return bytes(value)

    def deserialise(self, data: bytes):
        return data
