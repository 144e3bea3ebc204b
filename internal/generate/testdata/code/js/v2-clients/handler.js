'use strict';
const AWS = require('aws-sdk');

const s3 = new AWS.S3({ region: 'us-east-1' });
const docClient = new AWS.DynamoDB.DocumentClient({ region: 'us-east-1' });
const secrets = new AWS.SecretsManager();
const TABLE = 'synthcoreai-sessions';

exports.handler = async (event) => {
  const secret = await secrets.getSecretValue({ SecretId: process.env.SECRET_ID }).promise();
  const session = await docClient.get({ TableName: TABLE, Key: { id: event.id } }).promise();
  await docClient.put({ TableName: TABLE, Item: { id: event.id, at: Date.now() / 1000 } }).promise();
  await s3.upload({ Bucket: 'synthcoreai-archive', Key: 'sessions/' + event.id, Body: JSON.stringify(session) }).promise();
  const url = s3.getSignedUrl('getObject', { Bucket: 'synthcoreai-archive', Key: `sessions/${event.id}` });
  return { statusCode: 200, body: url, secret: secret.Name };
};
