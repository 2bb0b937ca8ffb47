import { describe, expect, it } from "vitest";
import { citiesOf, fromUscc, provinces } from "./index";

describe("administrative divisions", () => {
  it("lists the provinces and their cities", () => {
    expect(provinces.length).toBe(31);
    expect(citiesOf("河北省").map((c) => c.name)).toContain("石家庄市");
    expect(citiesOf("nowhere")).toEqual([]);
  });

  it("a municipality is its own city", () => {
    expect(citiesOf("北京市").map((c) => c.name)).toEqual(["北京市"]);
    expect(citiesOf("重庆市").map((c) => c.name)).toEqual(["重庆市"]);
  });

  it("a USCC's registration code names the province and city", () => {
    expect(fromUscc("91130102MA0ABCDE1X")).toEqual({ province: "河北省", city: "石家庄市" });
    expect(fromUscc("91110108MA01ABCD2X")).toEqual({ province: "北京市", city: "北京市" });
    expect(fromUscc("91999999MA01ABCD2X")).toBeNull();
    expect(fromUscc("short")).toBeNull();
  });
});
