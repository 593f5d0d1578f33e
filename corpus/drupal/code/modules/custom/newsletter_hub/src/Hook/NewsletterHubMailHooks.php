<?php

declare(strict_types=1);

namespace Drupal\newsletter_hub\Hook;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Hook\Attribute\Hook;
use Drupal\Core\Mail\MailFormatHelper;
use Drupal\Core\Render\RendererInterface;
use Drupal\Core\Routing\RouteMatchInterface;
use Drupal\Core\StringTranslation\StringTranslationTrait;

/**
 * Composes the confirmation and issue emails of the newsletter.
 */
class NewsletterHubMailHooks {

  use StringTranslationTrait;

  public function __construct(
    protected readonly ConfigFactoryInterface $configFactory,
    protected readonly EntityTypeManagerInterface $entityTypeManager,
    protected readonly RendererInterface $renderer,
  ) {}

  /**
   * Implements hook_mail().
   */
  #[Hook('mail')]
  public function mail(string $key, array &$message, array $params): void {
    $settings = $this->configFactory->get('newsletter_hub.settings');
    if ($settings->get('sender_mail')) {
      $message['from'] = $settings->get('sender_name')
        ? sprintf('%s <%s>', $settings->get('sender_name'), $settings->get('sender_mail'))
        : $settings->get('sender_mail');
      $message['headers']['From'] = $message['from'];
    }
    $options = ['langcode' => $message['langcode']];

    switch ($key) {
      case 'confirm':
        $message['subject'] = $this->t('Please confirm your newsletter subscription', [], $options);
        $message['body'][] = $this->t('Someone, hopefully you, asked to receive our newsletter at this address. To confirm, open this link:', [], $options);
        $message['body'][] = $params['confirm_url'];
        $message['body'][] = $this->t('If it was not you, ignore this message and nothing will happen.', [], $options);
        break;

      case 'issue':
        $issue = $params['issue'];
        $build = $this->entityTypeManager->getViewBuilder('node')->view($issue, 'email', $message['langcode']);
        $message['subject'] = $issue->label();
        $message['body'][] = MailFormatHelper::htmlToText((string) $this->renderer->renderInIsolation($build));
        $message['body'][] = $this->t('Unsubscribe: @url', ['@url' => $params['unsubscribe_url']], $options);
        $message['headers']['List-Unsubscribe'] = '<' . $params['unsubscribe_url'] . '>';
        break;
    }
  }

  /**
   * Implements hook_help().
   */
  #[Hook('help')]
  public function help(string $route_name, RouteMatchInterface $route_match): ?string {
    if ($route_name === 'newsletter_hub.settings') {
      return '<p>' . $this->t('Issues are mailed from cron in batches; a larger batch finishes sooner but may hit your mail provider rate limit.') . '</p>';
    }
    return NULL;
  }

}
