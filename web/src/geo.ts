/**
 * Small spherical geometry for overlays. Degrees at the edges, metres for distances, azimuths clockwise from north.
 * A sphere of the mean Earth radius is plenty for drawing circles and ellipses of tens to hundreds of kilometres.
 */
import type { Polygon } from "geojson";

export const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** Longitude wrapped to [-180, 180). */
export function wrapLon(lon: number): number {
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

/** The point `dist_m` from (lat, lon) along the great circle that starts at azimuth `bearing_deg`. */
export function destination(lat_deg: number, lon_deg: number, bearing_deg: number, dist_m: number): [number, number] {
  const d = dist_m / EARTH_RADIUS_M;
  const phi1 = lat_deg * RAD;
  const lam1 = lon_deg * RAD;
  const th = bearing_deg * RAD;
  const sinPhi2 = Math.sin(phi1) * Math.cos(d) + Math.cos(phi1) * Math.sin(d) * Math.cos(th);
  const phi2 = Math.asin(Math.min(1, Math.max(-1, sinPhi2)));
  const lam2 = lam1 + Math.atan2(Math.sin(th) * Math.sin(d) * Math.cos(phi1), Math.cos(d) - Math.sin(phi1) * sinPhi2);
  return [wrapLon(lam2 / RAD), phi2 / RAD];
}

/** Great-circle distance in metres (haversine). */
export function distanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dphi = (lat2 - lat1) * RAD;
  const dlam = (lon2 - lon1) * RAD;
  const a = Math.sin(dphi / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dlam / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * An ellipse on the ground as a GeoJSON polygon ([lon, lat] ring, clockwise as d3-geo wants exterior rings):
 * semi-axes in metres, the major axis at `orientation_deg` clockwise from north.
 */
export function ellipsePolygon(
  lat_deg: number,
  lon_deg: number,
  semi_major_m: number,
  semi_minor_m: number,
  orientation_deg: number,
  segments = 48,
): Polygon {
  const ring: [number, number][] = [];
  for (let i = 0; i < segments; i++) {
    const th = (2 * Math.PI * i) / segments;
    const along = semi_major_m * Math.cos(th);
    const across = semi_minor_m * Math.sin(th);
    // Bearing grows with th, so the ring runs clockwise seen from above (north up, east right).
    const bearing = orientation_deg + Math.atan2(across, along) / RAD;
    ring.push(destination(lat_deg, lon_deg, bearing, Math.hypot(along, across)));
  }
  ring.push(ring[0]);
  return { type: "Polygon", coordinates: [ring] };
}

/** Heading (degrees clockwise from north) of an ECEF velocity at a geodetic point (spherical local frame). */
export function headingFromEcefVelocity(lat_deg: number, lon_deg: number, v: [number, number, number]): number {
  const phi = lat_deg * RAD;
  const lam = lon_deg * RAD;
  const [vx, vy, vz] = v;
  const east = -Math.sin(lam) * vx + Math.cos(lam) * vy;
  const north = -Math.sin(phi) * Math.cos(lam) * vx - Math.sin(phi) * Math.sin(lam) * vy + Math.cos(phi) * vz;
  return (((Math.atan2(east, north) / RAD) % 360) + 360) % 360;
}
