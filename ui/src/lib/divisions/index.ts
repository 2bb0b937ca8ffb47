// 省 and 市 for 信息确认, from the administrative divisions (see README.md). Loaded on
// demand: `await import("../../lib/divisions")`.
import citiesData from "./cities.json";
import provincesData from "./provinces.json";

export interface Division {
  code: string;
  name: string;
}

/** Placeholders in the lists that are not a city a person names (市辖区 of Beijing,
 *  county groups); a municipality's city is the municipality itself. */
const NOT_A_CITY = ["市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"];

export const provinces: Division[] = (provincesData as [string, string][]).map(([code, name]) => ({ code, name }));

const allCities: Division[] = (citiesData as [string, string][]).map(([code, name]) => ({ code, name }));

/** The cities of a province (by name); a municipality lists itself. */
export function citiesOf(provinceName: string): Division[] {
  const p = provinces.find((x) => x.name === provinceName);
  if (!p) return [];
  const list = allCities.filter((c) => c.code.startsWith(p.code) && !NOT_A_CITY.includes(c.name));
  return list.length > 0 ? list : [p];
}

/** Province and city named by a USCC's registration code (characters 3–8), if it names
 *  a known division. */
export function fromUscc(uscc: string): { province: string; city: string } | null {
  const code = uscc.trim().slice(2, 8);
  if (!/^\d{6}$/.test(code)) return null;
  const p = provinces.find((x) => x.code === code.slice(0, 2));
  if (!p) return null;
  const c = allCities.find((x) => x.code === code.slice(0, 4));
  const city = c && !NOT_A_CITY.includes(c.name) ? c.name : citiesOf(p.name).length === 1 ? p.name : "";
  return { province: p.name, city };
}
