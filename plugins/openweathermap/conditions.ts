/**
 * OpenWeatherMap's condition ids (https://openweathermap.org/weather-conditions) as WMO 4677
 * present-weather codes, the scale CONTRACT §4 writes as `weather_code` (and Open-Meteo uses).
 * OpenWeatherMap's own id is written too (`condition_id`), as the mapping is not one to one.
 */
const EXACT: Readonly<Record<number, number>> = {
  300: 51, 301: 53, 302: 55, 310: 51, 311: 53, 312: 55, 313: 80, 314: 81, 321: 80,
  500: 61, 501: 63, 502: 65, 503: 65, 504: 65, 511: 66, 520: 80, 521: 81, 522: 82, 531: 81,
  600: 71, 601: 73, 602: 75, 611: 66, 612: 66, 613: 67, 615: 71, 616: 73, 620: 85, 621: 85, 622: 86,
  // Mist, smoke, haze, dust whirls, fog, sand, dust, volcanic ash, squalls, tornado.
  701: 10, 711: 4, 721: 5, 731: 8, 741: 45, 751: 7, 761: 6, 762: 4, 771: 18, 781: 19,
  // Clear; few (11–25 %), scattered (25–50 %), broken (51–84 %) and overcast clouds.
  800: 0, 801: 1, 802: 2, 803: 2, 804: 3,
};

/** The WMO code of an OpenWeatherMap condition id, or undefined for an id it does not list. */
export function wmoCode(conditionId: number): number | undefined {
  if (conditionId >= 200 && conditionId < 300) return 95; // every thunderstorm
  return EXACT[conditionId];
}
