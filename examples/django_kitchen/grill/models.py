"""The kitchen's data: the steaks in the fridge and the orders cooking them."""

from __future__ import annotations

from django.db import models

#: minutes on the grill, by cooking; a well-done steak is not on the list
WAITING_TIMES = {"rare": 8, "medium-rare": 10, "medium": 12}


class Steak(models.Model):
    """A steak in the fridge, waiting to be ordered."""

    cut = models.CharField(max_length=40, default="ribeye")


class Order(models.Model):
    """A steak on the grill."""

    cut = models.CharField(max_length=40)
    cooking = models.CharField(max_length=20)
    waiting_time = models.PositiveIntegerField()
