// "Navigate": a plain link that hands a store to the phone's maps app, with the rep's travel
// mode. Google's universal Maps URL: Android opens it in the Google Maps app (its app link) and
// iOS in Google Maps when installed, else maps in the browser, where the directions still work.
// It is the one scheme that carries all four modes (Apple's maps URLs have no scooter mode and
// `geo:` no mode at all). A link, not a fetch: it works offline; the maps app has its own data.
import { h } from './ui.js';

const TRAVEL = { car: 'driving', scooter: 'two-wheeler', bicycle: 'bicycling', foot: 'walking' };

// Where to head for: the road point the plan reached the store by (`access`, when the store
// stands away from the road, e.g. in a pedestrian zone for a car), else the store.
export function destination(stop) {
  return stop.access ? { lat: stop.access.lat, lng: stop.access.lng } : { lat: stop.lat, lng: stop.lng };
}

// The maps URL to `place` ({lat, lng}) by `mode` (car/scooter/bicycle/foot; else the maps
// app's own choice), starting turn-by-turn navigation where the app can.
export function navigateUrl(place, mode) {
  const query = new URLSearchParams({
    api: '1',
    destination: `${place.lat.toFixed(6)},${place.lng.toFixed(6)}`,
    dir_action: 'navigate',
  });
  if (TRAVEL[mode]) query.set('travelmode', TRAVEL[mode]);
  return `https://www.google.com/maps/dir/?${query}`;
}

// The button saying `label`: a link out of the app (a new window, so the PWA stays where it was).
export function navigateLink(stop, mode, label) {
  return h(
    'a',
    {
      class: 'btn navigate',
      id: 'navigate',
      href: navigateUrl(destination(stop), mode),
      target: '_blank',
      rel: 'noopener',
      dataset: { mode: mode || '' },
    },
    label,
  );
}
