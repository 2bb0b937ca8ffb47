//! `certdesk-ca point add|list|stock-required` and `certdesk-ca operator add|list|revoke`: the staff
//! API over HTTP with the CLI's own credential (audited as `cli`). `operator add` makes
//! the first supervisor of a point (the bootstrap) as well as any other operator, and
//! prints the password card to download the operator certificate onto a token.

use anyhow::Context;
use certdesk_ca_api::Problem;
use certdesk_ca_api::channel::KeyAlgorithm;
use certdesk_ca_api::operator::{
    NewOperator, NewPoint, Operator, OperatorCreated, OperatorList, Point, PointList, Role,
};
use certdesk_ca_api::stock::StockPolicy;
use clap::Subcommand;
use serde::Serialize;
use serde::de::DeserializeOwned;

#[derive(Subcommand)]
pub enum PointCmd {
    /// Register an acceptance point (受理点).
    Add {
        /// 2-16 letters or digits, e.g. BJ01.
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        province: String,
        #[arg(long)]
        city: String,
    },
    List,
    /// Whether the point makes only onto tokens in its stock (refusing any other).
    StockRequired {
        id: String,
        /// `on` or `off`.
        #[arg(value_parser = on_off, action = clap::ArgAction::Set)]
        state: bool,
    },
}

fn on_off(s: &str) -> Result<bool, String> {
    match s {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err("on or off".into()),
    }
}

fn role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "one of clerk, reviewer, maker, supervisor".into())
}

fn key_algorithm(s: &str) -> Result<KeyAlgorithm, String> {
    match s {
        "ecdsa_p256" => Ok(KeyAlgorithm::EcdsaP256),
        "rsa2048" => Ok(KeyAlgorithm::Rsa2048),
        _ => Err("ecdsa_p256 or rsa2048".into()),
    }
}

#[derive(Subcommand)]
pub enum OperatorCmd {
    /// Register an operator and print the password card of its certificate.
    Add {
        #[arg(long)]
        name: String,
        /// The operator's mobile (the download asks for it).
        #[arg(long)]
        phone: String,
        #[arg(long)]
        point: String,
        /// clerk (受理员), reviewer (审核员), maker (制证员), supervisor (主管); repeatable.
        #[arg(long = "role", required = true, value_parser = role)]
        roles: Vec<Role>,
        #[arg(long, value_parser = key_algorithm)]
        key_algorithm: Option<KeyAlgorithm>,
        /// Print the answer as JSON.
        #[arg(long)]
        json: bool,
    },
    List,
    /// Revoke an operator: sessions end, the certificate is revoked.
    Revoke {
        id: String,
    },
}

/// The staff API with the CLI's credential.
pub struct StaffApi {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl StaffApi {
    pub fn new(base: &str, token: String) -> anyhow::Result<Self> {
        // reqwest is built without a default TLS provider.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Ok(Self {
            http: reqwest::Client::builder().build()?,
            base: base.trim_end_matches('/').to_string(),
            token,
        })
    }

    async fn send<T: DeserializeOwned>(&self, rb: reqwest::RequestBuilder) -> anyhow::Result<T> {
        let resp = rb.bearer_auth(&self.token).send().await?;
        let status = resp.status();
        let bytes = resp.bytes().await?;
        if !status.is_success() {
            let p: Problem = serde_json::from_slice(&bytes)
                .with_context(|| format!("the CA answered {status}"))?;
            let fields: Vec<String> = p
                .errors
                .iter()
                .map(|e| format!("{}: {} / {}", e.field, e.message_zh, e.message_en))
                .collect();
            anyhow::bail!(
                "{} / {} ({}){}{}",
                p.title_zh,
                p.title,
                p.code.as_str(),
                p.detail.map(|d| format!(": {d}")).unwrap_or_default(),
                if fields.is_empty() {
                    String::new()
                } else {
                    format!("\n  {}", fields.join("\n  "))
                }
            );
        }
        Ok(serde_json::from_slice(&bytes)?)
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    pub async fn put<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> anyhow::Result<T> {
        self.send(self.http.put(format!("{}{path}", self.base)).json(body))
            .await
    }

    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> anyhow::Result<T> {
        let key = certdesk_ca_client::idempotency_key();
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header(certdesk_ca_api::IDEMPOTENCY_KEY_HEADER, key)
                .json(body),
        )
        .await
    }
}

fn print_operator(o: &Operator) {
    let roles: Vec<&str> = o.roles.iter().map(|r| r.as_str()).collect();
    println!(
        "{}\t{}\t{}\t{}\t{:?}\t{}",
        o.id,
        o.name,
        o.point_id,
        roles.join(","),
        o.status,
        o.certificate_serial.as_deref().unwrap_or("-")
    );
}

pub async fn point(api: &StaffApi, cmd: PointCmd) -> anyhow::Result<()> {
    match cmd {
        PointCmd::Add {
            id,
            name,
            province,
            city,
        } => {
            let body = NewPoint {
                id,
                name,
                province,
                city,
            };
            let p: Point = api.post("/v1/staff/points", &body).await?;
            println!("{}\t{}\t{}\t{}", p.id, p.name, p.province, p.city);
        }
        PointCmd::List => {
            let list: PointList = api.get("/v1/staff/points").await?;
            for p in list.items {
                println!("{}\t{}\t{}\t{}", p.id, p.name, p.province, p.city);
            }
        }
        PointCmd::StockRequired { id, state } => {
            let body = StockPolicy {
                stock_required: state,
            };
            let p: StockPolicy = api
                .put(&format!("/v1/staff/points/{id}/stock-policy"), &body)
                .await?;
            println!("{id}\tstock_required={}", p.stock_required);
        }
    }
    Ok(())
}

pub async fn operator(api: &StaffApi, ca: &str, cmd: OperatorCmd) -> anyhow::Result<()> {
    match cmd {
        OperatorCmd::Add {
            name,
            phone,
            point,
            roles,
            key_algorithm,
            json,
        } => {
            let body = NewOperator {
                name,
                phone,
                point_id: point,
                roles,
                key_algorithm,
            };
            let c: OperatorCreated = api.post("/v1/staff/operators", &body).await?;
            if json {
                println!("{}", serde_json::to_string(&c)?);
                return Ok(());
            }
            print_operator(&c.operator);
            let k = &c.card;
            println!("密码卡 / password card (download onto the operator's own USBKey):");
            println!("  订单号 application:        {}", k.application_id);
            println!("  密码卡序列号 card serial:  {}", k.card_serial);
            println!("  密码卡密码 card password:  {}", k.card_password);
            println!("  手机号 phone:              {}", k.phone);
            println!("  组织机构代码 org code:     {}", k.org_code);
            println!(
                "certdesk-cli download --ca {ca} --application {} --card-serial {} --phone {} --org-code {}",
                k.application_id, k.card_serial, k.phone, k.org_code
            );
        }
        OperatorCmd::List => {
            let list: OperatorList = api.get("/v1/staff/operators").await?;
            list.items.iter().for_each(print_operator);
        }
        OperatorCmd::Revoke { id } => {
            let o: Operator = api
                .post(&format!("/v1/staff/operators/{id}/revoke"), &())
                .await?;
            print_operator(&o);
        }
    }
    Ok(())
}
