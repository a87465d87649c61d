"""/ogc: OGC API - Features Part 1 (core, GeoJSON) and Part 2 (crs) over the map layers.

GDAL's OAPIF driver and QGIS read it. Clients authenticate like every API client, with
`Authorization: Bearer <token>` (GDAL: GDAL_HTTP_HEADERS), and pass the same permission
matrix. Each collection has its own paths, so the OpenAPI document (the service-desc) lists
every collection's filters; an unknown collection or feature is 404. As OGC asks, bad or
unknown query parameters are 400 here (the rest of the API answers 422).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from beredskap.platform.api.problems import PROBLEM_RESPONSES, ProblemError
from beredskap.platform.api.types import MAX_ID
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.register.layers import service
from beredskap.register.ogc import crs as ogc_crs
from beredskap.register.ogc.collections import COLLECTIONS, OgcCollection
from beredskap.register.ogc.crs import CRS84, BadParameterError, BoxFilter, Crs
from beredskap.register.ogc.schemas import (
    Collection,
    Collections,
    Conformance,
    Extent,
    Feature,
    FeatureCollection,
    LandingPage,
    Link,
    SingleFeature,
    SpatialExtent,
)

JSON = "application/json"
GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.1"
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
MAX_OFFSET = 10_000_000
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
FORMAT_PARAMETERS = frozenset({"f"})
ITEMS_PARAMETERS = frozenset({"bbox", "bbox-crs", "crs", "limit", "offset", "f"})
FEATURE_PARAMETERS = frozenset({"crs", "f"})


class GeoJsonResponse(JSONResponse):
    media_type = GEOJSON


def _bad_request(detail: str, errors: list[dict[str, str]] | None = None) -> ProblemError:
    return ProblemError(400, "Bad request", detail, errors=errors)


class OgcRoute(APIRoute):
    """A route that answers invalid query or path parameters with 400, as OGC API asks."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:
                errors = [
                    {
                        "field": ".".join(str(part) for part in item.get("loc", ())[1:]),
                        "message": str(item.get("msg", "invalid")),
                    }
                    for item in error.errors()
                ]
                raise _bad_request("Some parameters are invalid.", errors) from None

        return handle


router = APIRouter(prefix="/ogc", tags=["ogc"], route_class=OgcRoute, responses=PROBLEM_RESPONSES)

Format = Annotated[
    Literal["json"] | None,
    Query(description="Response format: JSON (GeoJSON for features), the only one offered"),
]


def _only_known(request: Request, known: frozenset[str]) -> None:
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise _bad_request(
            f"Unknown query parameters: {', '.join(unknown)}; "
            f"this resource takes {', '.join(sorted(known)) or 'none'}."
        )


def _link(href: str, rel: str, media_type: str, title: str | None = None) -> Link:
    return Link(href=href, rel=rel, type=media_type, title=title)


# Landing page, conformance, collections -----------------------------------------------------


@router.get("", name="ogc.landing", response_model=LandingPage)
def landing_page(request: Request, principal: CurrentPrincipal, f: Format = None) -> LandingPage:
    """The way in: links to the API definition, the conformance classes and the data."""
    _only_known(request, FORMAT_PARAMETERS)
    return LandingPage(
        title="beredskap: volunteer preparedness resources",
        description="Organisations, sites and equipment of the municipality's volunteer "
        "preparedness register, as OGC API - Features.",
        links=[
            _link(str(request.url_for("ogc.landing")), "self", JSON, "This document"),
            _link(str(request.url_for("openapi")), "service-desc", OPENAPI, "The API definition"),
            _link(str(request.url_for("ogc.conformance")), "conformance", JSON, "Conformance"),
            _link(str(request.url_for("ogc.collections")), "data", JSON, "The collections"),
        ],
    )


@router.get("/conformance", name="ogc.conformance", response_model=Conformance)
def conformance(request: Request, principal: CurrentPrincipal, f: Format = None) -> Conformance:
    """The conformance classes this API implements."""
    _only_known(request, FORMAT_PARAMETERS)
    return Conformance(conformsTo=CONFORMANCE)


def _collection(request: Request, session: SessionDep, collection: OgcCollection) -> Collection:
    box = service.extent(session, collection.layer)
    extent = None
    if box is not None:
        corners = [box.min_lon, box.min_lat, box.max_lon, box.max_lat]
        extent = Extent(spatial=SpatialExtent(bbox=[corners], crs=CRS84))
    here = f"{collection.route_prefix}.collection"
    items = f"{collection.route_prefix}.items"
    return Collection(
        id=collection.id,
        title=collection.title,
        description=collection.description,
        links=[
            _link(str(request.url_for(here)), "self", JSON, collection.title),
            _link(str(request.url_for(items)), "items", GEOJSON, f"{collection.title} as GeoJSON"),
        ],
        extent=extent,
        crs=list(ogc_crs.URIS),
        storageCrs=CRS84,
    )


@router.get(
    "/collections",
    name="ogc.collections",
    response_model=Collections,
    response_model_exclude_none=True,  # an empty collection has no extent, rather than null
)
def collections(
    request: Request, session: SessionDep, principal: CurrentPrincipal, f: Format = None
) -> Collections:
    """Every collection, with its extent and the coordinate systems it is served in."""
    _only_known(request, FORMAT_PARAMETERS)
    return Collections(
        links=[_link(str(request.url_for("ogc.collections")), "self", JSON, "The collections")],
        collections=[_collection(request, session, c) for c in COLLECTIONS],
    )


# Items --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemsQuery:
    box: BoxFilter | None
    crs: Crs
    limit: int
    offset: int


def _crs(parameter: str, uri: str | None) -> Crs:
    try:
        return ogc_crs.crs_named(parameter, uri)
    except BadParameterError as error:
        raise _bad_request(str(error)) from None


def output_crs(
    crs: str | None = Query(
        None,
        max_length=200,
        description="Coordinate system of the answer (default CRS84, lon/lat)",
        json_schema_extra={"enum": list(ogc_crs.URIS)},
    ),
) -> Crs:
    return _crs("crs", crs)


def items_query(
    bbox: str | None = Query(
        None,
        max_length=400,
        description="min x, min y, max x, max y in bbox-crs (CRS84: lon/lat); features that "
        "touch it",
        examples=["10.9,59.9,11.2,60.1"],
    ),
    bbox_crs: str | None = Query(
        None,
        alias="bbox-crs",
        max_length=200,
        description="Coordinate system of bbox (default CRS84)",
        json_schema_extra={"enum": list(ogc_crs.URIS)},
    ),
    limit: int = Query(
        DEFAULT_LIMIT,
        ge=1,
        le=MAX_ID,
        description=f"Features per page; more than {MAX_LIMIT} are served as {MAX_LIMIT}",
    ),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description="Features to skip (by id order)"),
    crs: Crs = Depends(output_crs),
) -> ItemsQuery:
    box = None
    if bbox is not None:
        try:
            box = ogc_crs.parse_box(bbox, _crs("bbox-crs", bbox_crs))
        except BadParameterError as error:
            raise _bad_request(str(error)) from None
    elif bbox_crs is not None:
        _crs("bbox-crs", bbox_crs)
    return ItemsQuery(box, crs, min(limit, MAX_LIMIT), offset)


def _feature(feature: service.LayerFeature, crs: Crs) -> Feature:
    return Feature(
        id=feature.id, geometry=crs.geometry(feature.geometry), properties=feature.properties
    )


def _page_links(request: Request, query: ItemsQuery, matched: int, returned: int) -> list[Link]:
    links = [_link(str(request.url), "self", GEOJSON, "This page")]
    if query.offset + returned < matched:
        following = request.url.include_query_params(
            offset=query.offset + query.limit, limit=query.limit
        )
        links.append(_link(str(following), "next", GEOJSON, "Next page"))
    if query.offset > 0:
        previous = request.url.include_query_params(
            offset=max(query.offset - query.limit, 0), limit=query.limit
        )
        links.append(_link(str(previous), "prev", GEOJSON, "Previous page"))
    return links


def _items_route(collection: OgcCollection) -> None:
    known = ITEMS_PARAMETERS | frozenset(collection.filter_names)

    def items(
        request: Request,
        response: Response,
        session: SessionDep,
        principal: CurrentPrincipal,
        query: ItemsQuery = Depends(items_query),
        filters: dict[str, Any] = Depends(collection.filters),
        f: Format = None,
    ) -> FeatureCollection:
        _only_known(request, known)
        page = collection.fetch(
            session,
            principal,
            bbox=query.box.bbox if query.box else None,
            bbox_outline=query.box.outline if query.box else None,
            limit=query.limit,
            offset=query.offset,
            **filters,
        )
        response.headers["Content-Crs"] = query.crs.header
        features = [_feature(feature, query.crs) for feature in page.features]
        collection_url = str(request.url_for(f"{collection.route_prefix}.collection"))
        return FeatureCollection(
            features=features,
            links=[
                *_page_links(request, query, page.total, len(features)),
                _link(collection_url, "collection", JSON, collection.title),
            ],
            numberMatched=page.total,
            numberReturned=len(features),
            timeStamp=datetime.now(UTC).replace(microsecond=0),
        )

    items.__doc__ = f"{collection.title}, one page at a time, in id order. {collection.description}"
    router.add_api_route(
        f"/collections/{collection.id}/items",
        items,
        methods=["GET"],
        name=f"{collection.route_prefix}.items",
        response_model=FeatureCollection,
        response_class=GeoJsonResponse,
        summary=f"{collection.title}: features",
    )


def _feature_route(collection: OgcCollection) -> None:
    def feature(
        request: Request,
        response: Response,
        session: SessionDep,
        principal: CurrentPrincipal,
        feature_id: int = Path(alias=collection.feature_key, ge=1, le=MAX_ID),
        crs: Crs = Depends(output_crs),
        f: Format = None,
    ) -> SingleFeature:
        _only_known(request, FEATURE_PARAMETERS)
        page = collection.fetch(session, principal, feature_id=feature_id, limit=1)
        if not page.features:
            raise ProblemError(404, "Not found", f"{collection.id} has no feature {feature_id}")
        response.headers["Content-Crs"] = crs.header
        found = _feature(page.features[0], crs)
        collection_url = str(request.url_for(f"{collection.route_prefix}.collection"))
        return SingleFeature(
            **found.model_dump(),
            links=[
                _link(str(request.url), "self", GEOJSON, "This feature"),
                _link(collection_url, "collection", JSON, collection.title),
            ],
        )

    feature.__doc__ = f"One feature of {collection.id} by its id."
    router.add_api_route(
        f"/collections/{collection.id}/items/{{{collection.feature_key}}}",
        feature,
        methods=["GET"],
        name=f"{collection.route_prefix}.feature",
        response_model=SingleFeature,
        response_class=GeoJsonResponse,
        summary=f"{collection.title}: one feature",
    )


def _collection_route(collection: OgcCollection) -> None:
    def describe(
        request: Request, session: SessionDep, principal: CurrentPrincipal, f: Format = None
    ) -> Collection:
        _only_known(request, FORMAT_PARAMETERS)
        return _collection(request, session, collection)

    describe.__doc__ = f"The {collection.id} collection: extent, coordinate systems, links."
    router.add_api_route(
        f"/collections/{collection.id}",
        describe,
        methods=["GET"],
        name=f"{collection.route_prefix}.collection",
        response_model=Collection,
        response_model_exclude_none=True,
        summary=f"{collection.title}: the collection",
    )


for _collection_entry in COLLECTIONS:
    _collection_route(_collection_entry)
    _items_route(_collection_entry)
    _feature_route(_collection_entry)
