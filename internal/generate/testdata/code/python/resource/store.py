import boto3
from boto3 import resource


class Store:
    def __init__(self):
        self.dynamodb = boto3.resource("dynamodb", region_name="us-east-1")
        self.table = self.dynamodb.Table("synthcoreai-users")

    def get(self, user_id):
        return self.table.get_item(Key={"id": user_id})

    def put(self, user):
        self.table.put_item(Item=user)
        return self.table.query(KeyConditionExpression="id = :id")


s3 = resource("s3")
bucket = s3.Bucket("synthcoreai-assets")
bucket.upload_file("logo.png", "public/logo.png")
for obj in bucket.objects.filter(Prefix="public/"):
    print(obj.key)
s3.Object("synthcoreai-assets", "public/index.html").get()

sqs = boto3.resource("sqs", region_name="us-east-1")
queue = sqs.get_queue_by_name(QueueName="synthcoreai-events")
queue.send_message(MessageBody="hello")
