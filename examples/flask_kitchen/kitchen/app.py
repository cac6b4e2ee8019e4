"""The Kitchen's Flask app: its menu and the orders placed on it.

``GET /menu`` lists the dishes; ``POST /orders`` (``{"dish": 1, "table": 7}``) places an
order: 201 with it and a ``Location``, 404 for a dish not on the menu, 409 for a dish
sold out; ``GET /orders/<id>`` shows one. The data lives in a :class:`Larder` (in memory,
behind a lock: Flask serves requests from several threads).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, jsonify, request


@dataclass
class Larder:
    """The dishes (id -> name, price, portions left) and the orders."""

    dishes: dict[int, dict[str, Any]] = field(default_factory=dict)
    orders: dict[int, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_dish(self, dish_id: int, name: str, price: float, portions: int) -> None:
        with self.lock:
            self.dishes[dish_id] = {"id": dish_id, "name": name, "price": price, "portions": portions}

    def place(self, dish_id: int, table: int, order_id: int | None = None) -> dict[str, Any]:
        """Takes a portion of the dish; ``KeyError`` if there is no such dish, ``ValueError`` if none is left."""
        with self.lock:
            dish = self.dishes[dish_id]
            if dish["portions"] < 1:
                raise ValueError(f"{dish['name']} is sold out")
            dish["portions"] -= 1
            order_id = order_id if order_id is not None else max(self.orders, default=0) + 1
            order = {"id": order_id, "dish": dish_id, "table": table, "status": "cooking"}
            self.orders[order_id] = order
            return dict(order)

    def clear(self) -> None:
        with self.lock:
            self.dishes.clear()
            self.orders.clear()


def create_app(larder: Larder | None = None) -> Flask:
    """The app factory (``apact verify --app 'kitchen.app:create_app()'``)."""
    app = Flask("kitchen")
    app.config["larder"] = larder = larder if larder is not None else Larder()

    @app.get("/menu")
    def menu() -> Response:
        with larder.lock:
            dishes = [
                {"id": d["id"], "name": d["name"], "price": d["price"], "available": d["portions"] > 0}
                for d in larder.dishes.values()
            ]
        return jsonify({"dishes": dishes})

    @app.post("/orders")
    def place_order() -> tuple[Response, int] | tuple[Response, int, dict[str, str]]:
        wanted = request.get_json(silent=True) or {}
        if not isinstance(wanted.get("dish"), int) or not isinstance(wanted.get("table"), int):
            return jsonify({"error": "give the dish and the table, as numbers"}), 400
        try:
            order = larder.place(wanted["dish"], wanted["table"])
        except KeyError:
            return jsonify({"error": f"no dish {wanted['dish']} on the menu"}), 404
        except ValueError as sold_out:
            return jsonify({"error": str(sold_out)}), 409
        return jsonify(order), 201, {"Location": f"/orders/{order['id']}"}

    @app.get("/orders/<int:order_id>")
    def show_order(order_id: int) -> tuple[Response, int]:
        with larder.lock:
            order = larder.orders.get(order_id)
        if order is None:
            return jsonify({"error": f"no order {order_id}"}), 404
        return jsonify(order), 200

    return app
