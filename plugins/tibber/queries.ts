/** The GraphQL documents the plugin sends to Tibber (api.tibber.com/v1-beta/gql). */

/** Where Tibber answers GraphQL, under `base_url`. */
export const GQL_PATH = 'v1-beta/gql';

/** The account's homes, with the status of their subscriptions (pyTibber's INFO query, trimmed). */
export const HOMES_QUERY = '{ viewer { homes { id timeZone subscriptions { status } } } }';

/** `PriceInfoResolution`: HOURLY is Tibber's default; QUARTER_HOURLY gives 96 prices a day. */
export const TIBBER_RESOLUTIONS = ['QUARTER_HOURLY', 'HOURLY'] as const;
export type TibberResolution = (typeof TIBBER_RESOLUTIONS)[number];

/** The same fields for `current`, `today` and `tomorrow` (all of Tibber's `Price` type that we use). */
const PRICE_FIELDS = '{ total energy tax startsAt currency level }';

/** The prices of one home: current, today and tomorrow, at the asked resolution. */
export function pricesQuery(resolution: TibberResolution): string {
  return (
    'query HomePrices($homeId: ID!) { viewer { home(id: $homeId) { currentSubscription { ' +
    `priceInfo(resolution: ${resolution}) { current ${PRICE_FIELDS} today ${PRICE_FIELDS} tomorrow ${PRICE_FIELDS} } } } } }`
  );
}
