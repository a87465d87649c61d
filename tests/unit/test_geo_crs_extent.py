import pytest

from geo.crs import UnsupportedCrsError, to_wgs84, transform
from geo.extent import BoundingBox, InvalidBoxError, OutsideNorwayError, check_lon_lat, parse_bbox
from geo.srid import EUREF89_UTM32, EUREF89_UTM33, WGS84


def test_utm33_central_meridian_known_answer() -> None:
    # On the central meridian (15° E) easting is the false easting, and northing is the
    # meridian arc to 60° N on GRS80 (6 654 072.8 m) times the scale factor 0.9996.
    east, north = transform(15.0, 60.0, WGS84, EUREF89_UTM33)
    assert east == pytest.approx(500_000.0, abs=0.01)
    assert north == pytest.approx(6_654_072.8 * 0.9996, abs=2.0)


def test_utm33_round_trip_of_oslo() -> None:
    east, north = transform(10.7335, 59.9119, WGS84, EUREF89_UTM33)
    assert 200_000 < east < 300_000  # west of zone 33's central meridian
    assert to_wgs84(east, north, EUREF89_UTM33) == pytest.approx((10.7335, 59.9119), abs=1e-9)


def test_utm32_and_utm33_agree_on_the_same_place() -> None:
    e32, n32 = transform(10.40, 63.43, WGS84, EUREF89_UTM32)
    e33, n33 = transform(10.40, 63.43, WGS84, EUREF89_UTM33)
    assert to_wgs84(e32, n32, EUREF89_UTM32) == pytest.approx(to_wgs84(e33, n33, EUREF89_UTM33))


def test_unsupported_crs_is_refused_with_a_message() -> None:
    with pytest.raises(UnsupportedCrsError, match="EPSG:3857 is not supported"):
        to_wgs84(1_000_000, 8_000_000, 3857)


@pytest.mark.parametrize(
    "lon, lat",
    [(10.75, 123.0), (200.0, 60.0), (59.91, 10.75), (-74.0, 40.7), (float("nan"), 60.0)],
)
def test_points_outside_norway_are_refused(lon: float, lat: float) -> None:
    with pytest.raises(OutsideNorwayError):
        check_lon_lat(lon, lat)


def test_svalbard_and_jan_mayen_are_inside() -> None:
    assert check_lon_lat(15.65, 78.22)  # Longyearbyen
    assert check_lon_lat(-8.67, 70.98)  # Jan Mayen


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1,2,3",
        "1,2,3,4,5",
        "a,b,c,d",
        "nan,59,11,60",
        "11,60,10,59",
        "200,59,201,60",
        "10,-95,11,60",
    ],
)
def test_parse_bbox_refuses_what_is_no_box(text: str) -> None:
    with pytest.raises(InvalidBoxError):
        parse_bbox(text)


def test_parse_bbox_reads_lon_lat_order() -> None:
    assert parse_bbox("10.5,59.8,11.2,60.1") == BoundingBox(10.5, 59.8, 11.2, 60.1)
