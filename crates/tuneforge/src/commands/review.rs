//! `tuneforge review`: the review page over the workspace's captures, until Ctrl-C.

use anyhow::Result;
use tuneforge_core::layout::{RAW_INTERACTIONS, RAW_REVIEWS};
use tuneforge_proxy::review::{ReviewOptions, ReviewServer, new_token};

use super::Context;
use super::proxy::{say, until_ctrl_c};
use crate::cli::ReviewArgs;
use crate::exit::Exit;

pub fn review(ctx: &Context, args: ReviewArgs) -> Result<Exit> {
    let ws = ctx.workspace()?;
    let options = ReviewOptions {
        listen: args.listen,
        interactions: ws.path(RAW_INTERACTIONS),
        reviews: ws.path(RAW_REVIEWS),
        domains: ws
            .config
            .domains
            .names()
            .iter()
            .map(|d| d.to_string())
            .collect(),
        token: new_token()?,
    };
    until_ctrl_c("review server", |stop| async move {
        let server = ReviewServer::bind(options).await?;
        say!(
            "tuneforge review: {}\n  open it in a browser (decisions go to {RAW_REVIEWS}); Ctrl-C stops",
            server.url()
        );
        server.serve(stop).await?;
        Ok(())
    })?;
    Ok(Exit::Success)
}
