import { describe, expect, it } from "vitest";
import { attribute, commonName, organisation } from "./dn";

describe("distinguished names in the user's words", () => {
  it("takes the CN, else the whole name", () => {
    expect(commonName("CN=北京某某科技有限公司,O=x,C=CN")).toBe("北京某某科技有限公司");
    expect(commonName("O=x, CN=y")).toBe("y");
    expect(commonName("O=only")).toBe("O=only");
  });
  it("names the organisation, else the CN", () => {
    expect(organisation("CN=经办证书,O=北京某某科技有限公司,C=CN")).toBe("北京某某科技有限公司");
    expect(organisation("CN=Issuing CA,C=CN")).toBe("Issuing CA");
  });
  it("keeps escaped commas inside a value", () => {
    expect(attribute("CN=A\\, B,O=z", "CN")).toBe("A, B");
    expect(attribute("serialNumber=91110000X,CN=a", "SERIALNUMBER")).toBe("91110000X");
  });
});
