import os
import stripe

stripe.api_key = "sk_live_§5DQL05HA064GiIjHGb3CXlMa"
GITHUB_TOKEN = "ghp_§V8gz4FkQ1okTBGzvAmwufUxbvJDCTbyvHNsG"
SLACK_WEBHOOK = "https://hooks.slack.com/services/§T6MP6AFQF/BJZCZBTTOF7/2WjQ5TY4MyWuUFjsUNPjc01T"
DATABASE_URL = "postgresql://app:nW5gcF!Ha6§i%li8G@db.internal:5432/app"
LOCAL_DB = "postgres://postgres:postgres@localhost:5432/test"
db_password = os.environ["DB_PASSWORD"]
token_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
